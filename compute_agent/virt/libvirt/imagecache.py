"""The per-host image cache (`_base`): one download per image, shared by every boot."""
from __future__ import annotations

import collections
import hashlib
import os
import pathlib
import threading
from typing import Any

import httpx

from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext

CHUNK = 1024 * 1024


class ImageCache:
    def __init__(self, base: pathlib.Path) -> None:
        self.base = base
        self._locks: dict[str, threading.Lock] = collections.defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def _lock(self, image_id: str) -> threading.Lock:
        with self._guard:
            return self._locks[image_id]

    @staticmethod
    def _url(image_id: str) -> str:
        return f"{CONF.image.public_endpoint.rstrip('/')}/v2/images/{image_id}"

    def metadata(self, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        resp = httpx.get(self._url(image_id), headers={"X-Auth-Token": ctx.auth_token or ""},
                         timeout=30)
        if resp.status_code == 404:
            raise exception.ImageNotFound(image_id=image_id)
        resp.raise_for_status()
        return dict(resp.json())

    def fetch(self, ctx: RequestContext, image_id: str) -> pathlib.Path:
        """The cached file of an image, downloaded (once) from the image service."""
        path = self.base / image_id
        with self._lock(image_id):
            if path.exists():
                os.utime(path)
                return path
            self.base.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            md5 = hashlib.md5(usedforsecurity=False)
            with httpx.stream("GET", self._url(image_id) + "/file", timeout=300,
                              headers={"X-Auth-Token": ctx.auth_token or ""}) as resp:
                if resp.status_code != 200:
                    raise exception.Invalid(
                        f"Image {image_id} could not be downloaded: HTTP {resp.status_code}")
                expected = resp.headers.get("Content-MD5")
                with open(partial, "wb") as f:
                    for chunk in resp.iter_bytes(CHUNK):
                        md5.update(chunk)
                        f.write(chunk)
            if expected and md5.hexdigest() != expected:
                partial.unlink()
                raise exception.Invalid(f"Image {image_id} arrived corrupted (checksum "
                                        f"mismatch).")
            partial.rename(path)
            return path
