"""ComputeFilter: the host's compute service is enabled and up."""
from __future__ import annotations

from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from stratus.servicegroup import get_driver


class ComputeFilter(BaseHostFilter):
    def __init__(self) -> None:
        self.servicegroup = get_driver()

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        service = host.service
        return (service is not None and not service["disabled"]
                and self.servicegroup.is_up(service))

    def reason(self, spec: dict[str, Any]) -> str:
        return "compute service disabled or down"
