"""Instance disks as qcow2 files: overlays on cached images, blank ephemeral and swap."""
from __future__ import annotations

import json
import pathlib
import subprocess

from stratus import exception

GiB = 1024 ** 3


def _qemu_img(*args: str) -> str:
    result = subprocess.run(["qemu-img", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise exception.Invalid(f"qemu-img {args[0]} failed: {result.stderr.strip()}")
    return result.stdout


def info(path: pathlib.Path, disk_format: str | None = None) -> dict[str, object]:
    """qemu-img's view of a disk; with `disk_format`, it must really be that format."""
    args = ["info", "--output=json", *(["-f", disk_format] if disk_format else []), str(path)]
    return dict(json.loads(_qemu_img(*args)))


def create_root(base: pathlib.Path, path: pathlib.Path, size_gb: int,
                disk_format: str | None = None) -> None:
    """A copy-on-write root disk on `base`, grown to `size_gb` (0: the image's size)."""
    details = info(base, disk_format)
    virtual = int(details["virtual-size"])  # type: ignore[call-overload]
    if size_gb and size_gb * GiB < virtual:
        raise exception.Invalid(f"Flavor's disk is too small for requested image: the "
                                f"image needs {virtual} bytes, the flavor gives "
                                f"{size_gb * GiB}.")
    args = ["create", "-q", "-f", "qcow2", "-F", str(details["format"]), "-b", str(base),
            str(path)]
    if size_gb:
        args.append(f"{size_gb}G")
    _qemu_img(*args)


def create_blank(path: pathlib.Path, size_mb: int) -> None:
    _qemu_img("create", "-q", "-f", "qcow2", str(path), f"{size_mb}M")


def flatten(source: pathlib.Path, target: pathlib.Path) -> None:
    """A standalone qcow2 copy of a disk and its backing chain (-U: it may be in use)."""
    _qemu_img("convert", "-U", "-O", "qcow2", str(source), str(target))


def grow(path: pathlib.Path, size_gb: int) -> None:
    """Make the disk `size_gb` large if it is smaller (never shrink it)."""
    if int(info(path)["virtual-size"]) < size_gb * GiB:  # type: ignore[call-overload]
        _qemu_img("resize", "-q", str(path), f"{size_gb}G")
