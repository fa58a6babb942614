"""Periodic tasks, each on its own interval, on one thread of the service."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

LOG = logging.getLogger(__name__)


class PeriodicTasks:
    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: list[tuple[Callable[[], None], float]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, task: Callable[[], None], interval: float) -> None:
        if interval > 0:
            self._tasks.append((task, interval))

    def start(self) -> None:
        if self._tasks:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        due = {task: time.monotonic() + interval for task, interval in self._tasks}
        while True:
            task = min(due, key=due.__getitem__)
            if self._stop.wait(max(0.0, due[task] - time.monotonic())):
                return
            try:
                task()
            except Exception:  # one failed round must not end the task
                LOG.exception("Periodic task %s failed", getattr(task, "__name__", task))
            due[task] = time.monotonic() + dict(self._tasks)[task]

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
