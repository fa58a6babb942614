"""RamFilter: enough free RAM under ram_allocation_ratio."""
from __future__ import annotations

from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState


class RamFilter(BaseHostFilter):
    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        return host.free_ram_mb >= spec["flavor"]["memory_mb"]

    def filter_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[HostState]:
        need = spec["flavor"]["memory_mb"]
        return [h for h in hosts if h.free_ram_mb >= need]

    def reason(self, spec: dict[str, Any]) -> str:
        return f"less than {spec['flavor']['memory_mb']} MB free RAM"
