"""Build the test guest from Debian packages only: cloud kernel + busybox-static.

Produces, in a work folder (reused when already built):
  vmlinuz      the Debian cloud kernel
  initrd.img   busybox + the virtio modules; mounts /dev/vda and switches to it
  disk.qcow2   an ext4 root filesystem whose /sbin/init is a tiny cloud-init
"""
from __future__ import annotations

import dataclasses
import gzip
import os
import pathlib
import shutil
import stat
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
KERNEL_PACKAGE = "linux-image-cloud-amd64"
BUSYBOX = pathlib.Path("/bin/busybox")
MODULES = ["virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
           "virtio_pci", "virtio_blk", "failover", "net_failover", "virtio_net", "cdrom", "isofs",
           "button", "evdev"]
ROOT_SIZE = "64M"
COMMAND_LINE = "console=ttyS0 root=/dev/vda rw"


@dataclasses.dataclass
class GuestFiles:
    kernel: pathlib.Path
    initrd: pathlib.Path
    disk: pathlib.Path


def _run(*args: str, cwd: pathlib.Path | None = None) -> str:
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout


def kernel_package() -> str:
    """The versioned kernel package the cloud-kernel metapackage points to."""
    for line in _run("apt-cache", "depends", KERNEL_PACKAGE).splitlines():
        name = line.strip().removeprefix("Depends:").strip()
        if name.startswith("linux-image-") and name != KERNEL_PACKAGE:
            return name
    raise RuntimeError(f"apt knows no kernel behind {KERNEL_PACKAGE}")


def _extract_kernel(work: pathlib.Path) -> pathlib.Path:
    root = work / "kernel-root"
    if not (root / "boot").is_dir():
        debs = work / "debs"
        debs.mkdir(parents=True, exist_ok=True)
        if not list(debs.glob("linux-image-*.deb")):
            _run("apt-get", "download", kernel_package(), cwd=debs)
        deb = sorted(debs.glob("linux-image-*.deb"))[-1]
        shutil.rmtree(root, ignore_errors=True)
        _run("dpkg", "-x", str(deb), str(root))
    return root


def _module_paths(root: pathlib.Path) -> dict[str, pathlib.Path]:
    found = {p.name.removesuffix(".ko"): p for p in (root / "lib/modules").rglob("*.ko")}
    missing = [m for m in MODULES if m not in found]
    if missing:
        raise RuntimeError(f"kernel package lacks modules: {', '.join(missing)}")
    return {m: found[m] for m in MODULES}


def _cpio_entry(name: str, mode: int, data: bytes, ino: int) -> bytes:
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    header = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = header + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def write_cpio(path: pathlib.Path, files: dict[str, tuple[int, bytes]]) -> None:
    """A gzipped newc cpio archive; `files` maps name -> (mode, content), dirs first."""
    blob = b"".join(_cpio_entry(name, mode, data, i + 1)
                    for i, (name, (mode, data)) in enumerate(files.items()))
    blob += _cpio_entry("TRAILER!!!", 0, b"", 0)
    path.write_bytes(gzip.compress(blob, 6))


def _initrd(work: pathlib.Path, modules: dict[str, pathlib.Path]) -> pathlib.Path:
    directory, executable = stat.S_IFDIR | 0o755, stat.S_IFREG | 0o755
    files: dict[str, tuple[int, bytes]] = {
        "bin": (directory, b""), "modules": (directory, b""),
        "init": (executable, (HERE / "initramfs_init.sh").read_bytes()),
        "bin/busybox": (executable, BUSYBOX.read_bytes()),
    }
    for name, path in modules.items():
        files[f"modules/{name}.ko"] = (stat.S_IFREG | 0o644, path.read_bytes())
    out = work / "initrd.img"
    write_cpio(out, files)
    return out


def _root_disk(work: pathlib.Path) -> pathlib.Path:
    tree = work / "rootfs"
    shutil.rmtree(tree, ignore_errors=True)
    for folder in ("bin", "sbin", "etc", "dev", "proc", "sys", "tmp", "root", "mnt", "run"):
        (tree / folder).mkdir(parents=True)
    shutil.copy2(BUSYBOX, tree / "bin/busybox")
    for src, dst in (("guest_init.sh", "sbin/init"), ("udhcpc.sh", "etc/udhcpc.sh"),
                     ("network_data.sh", "etc/network_data.sh")):
        shutil.copy(HERE / src, tree / dst)
        os.chmod(tree / dst, 0o755)
    raw, disk = work / "disk.raw", work / "disk.qcow2"
    raw.unlink(missing_ok=True)
    _run("mke2fs", "-q", "-t", "ext4", "-d", str(tree), "-L", "stratus-root", str(raw),
         ROOT_SIZE)
    disk.unlink(missing_ok=True)
    _run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(disk))
    raw.unlink()
    return disk


def build(work: pathlib.Path) -> GuestFiles:
    """Build (or reuse) the guest's kernel, initrd and root disk in `work`."""
    work.mkdir(parents=True, exist_ok=True)
    files = GuestFiles(work / "vmlinuz", work / "initrd.img", work / "disk.qcow2")
    stamp = work / "built-from"
    sources = "".join(p.read_text() for p in sorted(HERE.glob("*.sh")))
    if all(p.exists() for p in dataclasses.astuple(files)) and stamp.exists() \
            and stamp.read_text() == sources:
        return files
    root = _extract_kernel(work)
    shutil.copy(sorted((root / "boot").glob("vmlinuz-*"))[-1], files.kernel)
    _initrd(work, _module_paths(root))
    _root_disk(work)
    stamp.write_text(sources)
    return files
