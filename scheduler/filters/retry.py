"""RetryFilter: skip hosts where this build already failed."""
from __future__ import annotations

from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState


class RetryFilter(BaseHostFilter):
    def applies(self, spec: dict[str, Any]) -> bool:
        return bool(spec.get("retry_hosts"))

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        return host.host not in spec.get("retry_hosts", [])

    def filter_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[HostState]:
        tried = set(spec.get("retry_hosts", []))
        return [h for h in hosts if h.host not in tried]

    def reason(self, spec: dict[str, Any]) -> str:
        return "the build already failed there"
