"""ComputeFilter: the host's compute service is enabled and up."""
from __future__ import annotations

import time

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest


class ComputeFilter(BaseHostFilter):
    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        return host.enabled and host.up_until >= time.time()

    def filter_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[HostState]:
        now = time.time()
        return [h for h in hosts if h.enabled and h.up_until >= now]

    def reason(self, spec: SchedulingRequest) -> str:
        return "compute service disabled or down"
