"""The filesystem image store: one file per image under [image] store_dir."""
from __future__ import annotations

import contextlib
import hashlib
import os
import struct
from collections.abc import Iterator

from stratus import exception
from stratus.config import CONF

CHUNK = 64 * 1024
QCOW2_MAGIC = b"QFI\xfb"


def _dir() -> str:
    path = os.path.abspath(CONF.image.store_dir)
    os.makedirs(path, exist_ok=True)
    return path


def path_of(image_id: str) -> str:
    return os.path.join(_dir(), image_id)


class Upload:
    """Bytes of one image on their way to disk, hashed as they pass."""

    def __init__(self, image_id: str, cap: int) -> None:
        self.final = path_of(image_id)
        self.partial = self.final + ".partial"
        self.cap = cap
        self.size = 0
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.sha512 = hashlib.sha512()
        self.head = b""
        self._file = open(self.partial, "wb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.cap:
            raise exception.RequestTooLarge(
                reason=f"Image exceeds the size limit of {self.cap} bytes.")
        if len(self.head) < 32:
            self.head += chunk[:32 - len(self.head)]
        self.md5.update(chunk)
        self.sha512.update(chunk)
        self._file.write(chunk)

    def commit(self) -> dict[str, object]:
        self._file.close()
        os.replace(self.partial, self.final)
        return {"size": self.size, "checksum": self.md5.hexdigest(), "os_hash_algo": "sha512",
                "os_hash_value": self.sha512.hexdigest(), "virtual_size": self.virtual_size(),
                "location": "file://" + self.final}

    def abort(self) -> None:
        self._file.close()
        if os.path.exists(self.partial):
            os.unlink(self.partial)

    def virtual_size(self) -> int:
        """The guest-visible disk size: a qcow2 header says it, raw data is its size."""
        if self.head[:4] == QCOW2_MAGIC and len(self.head) >= 32:
            return int(struct.unpack(">Q", self.head[24:32])[0])
        return self.size


def read(image_id: str) -> Iterator[bytes]:
    with open(path_of(image_id), "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def size_of(image_id: str) -> int | None:
    try:
        return os.path.getsize(path_of(image_id))
    except OSError:
        return None


def delete(image_id: str) -> None:
    """The image's data and any partial upload; nothing if there is none (another
    deleter, a scrub racing an upload's end, may have been first)."""
    for path in (path_of(image_id), path_of(image_id) + ".partial"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
