"""The identity domain of the conductor: projects, users, roles, role assignments, the
service catalog and token revocations (models.py, queries.py, endpoint.py)."""
