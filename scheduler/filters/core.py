"""CoreFilter: enough free vCPUs under cpu_allocation_ratio."""
from __future__ import annotations

from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState


class CoreFilter(BaseHostFilter):
    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        return host.free_vcpus >= spec["flavor"]["vcpus"]

    def filter_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[HostState]:
        need = spec["flavor"]["vcpus"]
        return [h for h in hosts if h.free_vcpus >= need]

    def reason(self, spec: dict[str, Any]) -> str:
        return f"fewer than {spec['flavor']['vcpus']} free vCPUs"
