"""The narrow interface every service-group driver implements."""
from __future__ import annotations

import abc
import time
from typing import Any

from stratus.context import RequestContext


class ServiceGroupDriver(abc.ABC):
    @abc.abstractmethod
    def report(self, ctx: RequestContext, host: str, binary: str, topic: str) -> None:
        """Tell the group that this service is alive."""

    @abc.abstractmethod
    def up_until(self, service: dict[str, Any]) -> float:
        """Until when (epoch seconds) the service counts as up; 0 when it is down."""

    def is_up(self, service: dict[str, Any]) -> bool:
        """Whether a service (a row of the services table) is alive now."""
        return self.up_until(service) >= time.time()
