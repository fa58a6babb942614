"""IoOpsFilter: the host runs fewer than max_io_ops_per_host builds and snapshots."""
from __future__ import annotations

from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from stratus.config import CONF


class IoOpsFilter(BaseHostFilter):
    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        return host.io_ops < CONF.scheduler.max_io_ops_per_host

    def filter_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[HostState]:
        most = CONF.scheduler.max_io_ops_per_host
        return [h for h in hosts if h.io_ops < most]

    def reason(self, spec: dict[str, Any]) -> str:
        return f"already {CONF.scheduler.max_io_ops_per_host} builds or snapshots under way"
