"""HTTP plumbing shared by the REST services: errors, auth, request IDs, validation."""
