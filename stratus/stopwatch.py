"""Timing the steps of an operation, for logs that say where the time went."""
from __future__ import annotations

import time


class Stopwatch:
    def __init__(self) -> None:
        self._last = self._start = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append((name, now - self._last))
        self._last = now

    def __str__(self) -> str:
        total = (self._last - self._start) * 1000
        steps = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in self.laps)
        return f"{total:.0f} ms ({steps})"
