"""NumInstancesFilter: the host holds fewer than max_instances_per_host instances."""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest
from stratus.config import CONF


class NumInstancesFilter(BaseHostFilter):
    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        return host.num_instances < CONF.scheduler.max_instances_per_host

    def filter_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[HostState]:
        most = CONF.scheduler.max_instances_per_host
        return [h for h in hosts if h.num_instances < most]

    def reason(self, spec: SchedulingRequest) -> str:
        return f"already {CONF.scheduler.max_instances_per_host} instances"
