"""The per-host image cache (`_base`): one download per image, shared by every boot."""
from __future__ import annotations

import collections
import os
import pathlib
import threading
import time

from compute_agent import image_service
from stratus.context import RequestContext


class ImageCache:
    def __init__(self, base: pathlib.Path) -> None:
        self.base = base
        self._locks: dict[str, threading.Lock] = collections.defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def _lock(self, image_id: str) -> threading.Lock:
        with self._guard:
            return self._locks[image_id]

    def fetch(self, ctx: RequestContext, image_id: str) -> pathlib.Path:
        """The cached file of an image, downloaded (once) from the image service."""
        path = self.base / image_id
        with self._lock(image_id):
            if path.exists():
                os.utime(path)
                return path
            self.base.mkdir(parents=True, exist_ok=True)
            image_service.download(ctx, image_id, path)
            return path

    def age(self, in_use: set[str], max_age: float) -> list[str]:
        """Remove images no instance uses and nobody fetched for `max_age` seconds."""
        if not self.base.is_dir():
            return []
        removed = []
        now = time.time()
        for path in self.base.iterdir():
            if path.suffix == ".part" or path.name in in_use:
                continue
            with self._lock(path.name):
                if path.exists() and now - path.stat().st_mtime >= max_age:
                    path.unlink()
                    removed.append(path.name)
        return removed
