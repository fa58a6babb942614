"""Scheduler (being written)."""
from __future__ import annotations


class SchedulerManager:
    pass
