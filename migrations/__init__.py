"""Alembic migrations of the conductor's database."""
