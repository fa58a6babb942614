"""Request body schemas of the compute API, one module per resource."""
