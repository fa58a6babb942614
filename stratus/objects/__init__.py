"""Shared vocabulary of the compute objects (states and their API names)."""
