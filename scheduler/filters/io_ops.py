"""IoOpsFilter: the host runs fewer than max_io_ops_per_host builds and snapshots."""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest
from stratus.config import CONF


class IoOpsFilter(BaseHostFilter):
    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        return host.io_ops < CONF.scheduler.max_io_ops_per_host

    def filter_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[HostState]:
        most = CONF.scheduler.max_io_ops_per_host
        return [h for h in hosts if h.io_ops < most]

    def reason(self, spec: SchedulingRequest) -> str:
        return f"already {CONF.scheduler.max_io_ops_per_host} builds or snapshots under way"
