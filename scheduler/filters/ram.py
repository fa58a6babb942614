"""RamFilter: enough free RAM under ram_allocation_ratio."""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest


class RamFilter(BaseHostFilter):
    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        return host.free_ram_mb >= spec.flavor["memory_mb"]

    def filter_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[HostState]:
        need = spec.flavor["memory_mb"]
        return [h for h in hosts if h.free_ram_mb >= need]

    def reason(self, spec: SchedulingRequest) -> str:
        return f"less than {spec.flavor['memory_mb']} MB free RAM"
