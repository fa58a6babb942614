"""libvirt's event loop: one thread per process, started before the first connection."""
from __future__ import annotations

import threading

import libvirt

_lock = threading.Lock()
_started = False


def _run() -> None:
    while True:
        libvirt.virEventRunDefaultImpl()


def start() -> None:
    """Register libvirt's default event loop and run it on a daemon thread (once)."""
    global _started
    with _lock:
        if _started:
            return
        libvirt.virEventRegisterDefaultImpl()
        threading.Thread(target=_run, name="libvirt-events", daemon=True).start()
        _started = True
