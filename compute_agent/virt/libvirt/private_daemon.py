"""A libvirtd of our own: private state dirs, inside a network namespace we create.

Tests (and `make up` with libvirt) must never use or disturb the machine's own
libvirtd, and every guest interface must live in a namespace we remove again.
"""
from __future__ import annotations

import os
import pathlib
import shlex
import signal
import subprocess
import time

BIND = {"etc": "/etc/libvirt", "run": "/run/libvirt", "lib": "/var/lib/libvirt",
        "cache": "/var/cache/libvirt", "log": "/var/log/libvirt"}
QEMU_CONF = """\
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
vnc_listen = "127.0.0.1"
remote_display_port_min = {display_min}
remote_display_port_max = {display_max}
migration_port_min = {migration_min}
migration_port_max = {migration_max}
"""
LIBVIRTD_CONF = 'unix_sock_group = "root"\nunix_sock_rw_perms = "0700"\n'


class PrivateLibvirtd:
    def __init__(self, base: pathlib.Path, netns: str, port_base: int = 25900) -> None:
        self.base = base
        self.netns = netns
        self.port_base = port_base
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> pathlib.Path:
        return self.base / "run" / "libvirt-sock"

    @property
    def uri(self) -> str:
        return f"qemu+unix:///system?socket={self.socket}"

    def _write_config(self) -> None:
        for name in BIND:
            (self.base / name).mkdir(parents=True, exist_ok=True)
        etc = self.base / "etc"
        (etc / "qemu.conf").write_text(QEMU_CONF.format(
            display_min=self.port_base, display_max=self.port_base + 99,
            migration_min=self.port_base + 100, migration_max=self.port_base + 199))
        (etc / "libvirtd.conf").write_text(LIBVIRTD_CONF)
        (etc / "virtlogd.conf").write_text("")

    def start(self, timeout: float = 30) -> "PrivateLibvirtd":
        self._write_config()
        subprocess.run(["ip", "netns", "add", self.netns], check=True, capture_output=True)
        binds = "; ".join(f"mkdir -p {target}; mount --bind {self.base / name} {target}"
                          for name, target in BIND.items())
        run = self.base / "run"
        script = (f"ip link set lo up; {binds}; virtlogd -d -p {run}/virtlogd.pid && "
                  f"exec libvirtd -p {run}/libvirtd.pid")
        # libvirtd stays our child (not daemonized) so that we reap it when it stops.
        self.process = subprocess.Popen(["ip", "netns", "exec", self.netns, "sh", "-c", script],
                                        stdout=open(self.base / "libvirtd.out", "wb"),
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self.socket.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"libvirtd did not create {self.socket}")
            time.sleep(0.05)
        return self

    def _pids(self) -> list[int]:
        pids = []
        for name in ("libvirtd.pid", "virtlogd.pid"):
            path = self.base / "run" / name
            if path.exists() and path.read_text().strip():
                pids.append(int(path.read_text().strip()))
        return pids

    def stop(self) -> None:
        """Stop the daemons and every guest they started; remove the namespace."""
        guests = subprocess.run(["ip", "netns", "pids", self.netns], capture_output=True,
                                text=True).stdout.split()
        for pid in [*self._pids(), *map(int, guests)]:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        if self.process is not None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in subprocess.run(["ip", "netns", "pids", self.netns], capture_output=True,
                                  text=True).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run(["ip", "netns", "del", self.netns], capture_output=True)

    def __repr__(self) -> str:
        return f"PrivateLibvirtd({shlex.quote(str(self.base))}, netns={self.netns})"


def usable() -> str | None:
    """Why a private libvirtd cannot run here, or None when it can."""
    import shutil
    for tool in ("libvirtd", "virtlogd", "qemu-system-x86_64", "qemu-img", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if os.geteuid() != 0:
        return "starting libvirtd in a network namespace needs root"
    try:
        import libvirt  # noqa: F401
    except ImportError:
        return "libvirt-python is not installed"
    return None
