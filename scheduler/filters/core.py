"""CoreFilter: enough free vCPUs under cpu_allocation_ratio."""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest


class CoreFilter(BaseHostFilter):
    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        return host.free_vcpus >= spec.flavor["vcpus"]

    def filter_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[HostState]:
        need = spec.flavor["vcpus"]
        return [h for h in hosts if h.free_vcpus >= need]

    def reason(self, spec: SchedulingRequest) -> str:
        return f"fewer than {spec.flavor['vcpus']} free vCPUs"
