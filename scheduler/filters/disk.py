"""DiskFilter: enough free disk for root and ephemeral under disk_allocation_ratio."""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest


def requested_gb(spec: SchedulingRequest) -> int:
    flavor = spec.flavor
    return flavor["root_gb"] + flavor["ephemeral_gb"]


class DiskFilter(BaseHostFilter):
    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        return host.free_disk_gb >= requested_gb(spec)

    def filter_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[HostState]:
        need = requested_gb(spec)
        return [h for h in hosts if h.free_disk_gb >= need]

    def reason(self, spec: SchedulingRequest) -> str:
        return f"less than {requested_gb(spec)} GB free disk"
