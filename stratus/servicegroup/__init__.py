"""Service groups: how a service says it is alive and how others tell (seed 5.4.12).

Drivers sit behind `ServiceGroupDriver`; `db` (state reports through the
conductor into the services table) is the default.
"""
from __future__ import annotations

from stratus.servicegroup.base import ServiceGroupDriver
from stratus.servicegroup.db import DbDriver

DRIVERS: dict[str, type[ServiceGroupDriver]] = {"db": DbDriver}


def get_driver(name: str = "db") -> ServiceGroupDriver:
    return DRIVERS[name]()
