"""SameHostFilter and DifferentHostFilter: scheduler hints naming other instances.

The scheduler resolves the hinted instances to their hosts once per request and puts
them in spec.hint_hosts = {"same_host": [...], "different_host": [...]}.
"""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest


def _hinted(spec: SchedulingRequest, key: str) -> tuple[bool, set[str]]:
    hints = spec.scheduler_hints
    return bool(hints.get(key)), set(spec.hint_hosts.get(key, []))


class SameHostFilter(BaseHostFilter):
    def applies(self, spec: SchedulingRequest) -> bool:
        return _hinted(spec, "same_host")[0]

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        asked, hosts = _hinted(spec, "same_host")
        return not asked or host.host in hosts

    def reason(self, spec: SchedulingRequest) -> str:
        return "not the host of the instances in the same_host hint"


class DifferentHostFilter(BaseHostFilter):
    def applies(self, spec: SchedulingRequest) -> bool:
        return _hinted(spec, "different_host")[0]

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        asked, hosts = _hinted(spec, "different_host")
        return not asked or host.host not in hosts

    def reason(self, spec: SchedulingRequest) -> str:
        return "runs an instance named in the different_host hint"
