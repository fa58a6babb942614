"""The image domain of the conductor: image records and who may see them (models.py,
queries.py, endpoint.py)."""
