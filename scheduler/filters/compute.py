"""ComputeFilter: the host's compute service is enabled and up."""
from __future__ import annotations

import time
from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState


class ComputeFilter(BaseHostFilter):
    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        service = host.service
        return (service is not None and not service["disabled"]
                and host.up_until >= time.time())

    def reason(self, spec: dict[str, Any]) -> str:
        return "compute service disabled or down"
