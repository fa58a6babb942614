"""Compute agent (being written)."""
from __future__ import annotations


class ComputeManager:
    def __init__(self, host: str) -> None:
        self.host = host
