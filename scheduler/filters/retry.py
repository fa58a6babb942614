"""RetryFilter: skip hosts where this build already failed."""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest


class RetryFilter(BaseHostFilter):
    def applies(self, spec: SchedulingRequest) -> bool:
        return bool(spec.retry_hosts)

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        return host.host not in spec.retry_hosts

    def filter_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[HostState]:
        tried = set(spec.retry_hosts)
        return [h for h in hosts if h.host not in tried]

    def reason(self, spec: SchedulingRequest) -> str:
        return "the build already failed there"
