"""The narrow interface every service-group driver implements."""
from __future__ import annotations

import abc
import time
from typing import Any, Protocol

from stratus.context import RequestContext


class Registry(Protocol):
    """The owner of the services table, as services reach it (the conductor's client).

    The package that owns the table registers one with `set_registry`; the core does not
    know which package that is."""
    name: str

    def ping(self, ctx: RequestContext) -> None:
        """Return once the registry answers; raise ServiceUnavailable when it does not."""

    def record(self, ctx: RequestContext, host: str, binary: str, topic: str) -> None:
        """Create the service's row, or mark it as seen now."""


_registry: Registry | None = None


def set_registry(registry: Registry) -> None:
    global _registry
    _registry = registry


def registry() -> Registry:
    if _registry is None:
        raise RuntimeError("No service registry: the package that owns the services table "
                           "(the conductor) registers one when it is imported")
    return _registry


class ServiceGroupDriver(abc.ABC):
    @abc.abstractmethod
    def report(self, ctx: RequestContext, host: str, binary: str, topic: str) -> None:
        """Tell the group that this service is alive."""

    @abc.abstractmethod
    def up_until(self, service: dict[str, Any]) -> float:
        """Until when (epoch seconds) the service counts as up; 0 when it is down."""

    def up_until_many(self, services: list[dict[str, Any]]) -> list[float]:
        """up_until of several services; drivers that can ask in one round trip do."""
        return [self.up_until(s) for s in services]

    def leave(self, host: str, binary: str) -> None:
        """The service stops cleanly: it may count as down at once."""

    def is_up(self, service: dict[str, Any]) -> bool:
        """Whether a service (a row of the services table) is alive now."""
        return self.up_until(service) >= time.time()


def registered(ctx: RequestContext, host: str, binary: str, topic: str,
               known: set[tuple[str, str]]) -> None:
    """Make sure the service has its row in the services table (os-services lists rows;
    the mc and zk drivers keep liveness elsewhere and write the row once per start)."""
    if (host, binary) in known:
        return
    registry().record(ctx, host, binary, topic)
    known.add((host, binary))
