"""The hosts domain of the conductor: services, compute nodes and host aggregates
(models.py, queries.py; endpoints services.py and aggregates.py)."""
