"""Console authentication tokens (not built yet)."""
