"""Service groups: how a service says it is alive and how others tell (seed 5.4.12).

Drivers sit behind `ServiceGroupDriver`: `db` (state reports through the conductor into
the services table; the default), `mc` (memcached) and `zk` (ZooKeeper), chosen by
`[DEFAULT] servicegroup_driver`. One driver instance per process (they hold connections).
"""
from __future__ import annotations

import importlib
import threading

from stratus.config import CONF
from stratus.servicegroup.base import Registry, ServiceGroupDriver, registry, set_registry

__all__ = ["DRIVERS", "Registry", "ServiceGroupDriver", "get_driver", "registry", "reset",
           "set_registry"]

DRIVERS = {"db": "stratus.servicegroup.db:DbDriver",
           "mc": "stratus.servicegroup.mc:McDriver",
           "zk": "stratus.servicegroup.zk:ZkDriver"}
_instances: dict[str, ServiceGroupDriver] = {}
_lock = threading.Lock()


def get_driver(name: str | None = None) -> ServiceGroupDriver:
    name = name or CONF.servicegroup_driver
    with _lock:
        if name not in _instances:
            module, _, cls = DRIVERS[name].partition(":")
            _instances[name] = getattr(importlib.import_module(module), cls)()
        return _instances[name]


def reset() -> None:
    """Forget the drivers (and close their connections): tests, config reloads."""
    with _lock:
        for driver in _instances.values():
            close = getattr(driver, "close", None)
            if close is not None:
                close()
        _instances.clear()
