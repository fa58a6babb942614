"""ServerGroupAffinityFilter and ServerGroupAntiAffinityFilter: the hard policies of the
server group named by the `group` hint.

The scheduler reads the hosts of the group's placed members once per request into
spec.group_hosts (a host once per member on it) and adds each host it picks.
"""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest


def max_per_host(spec: SchedulingRequest) -> int:
    return int((spec.group.rules if spec.group else {}).get("max_server_per_host", 1))


class ServerGroupAffinityFilter(BaseHostFilter):
    def applies(self, spec: SchedulingRequest) -> bool:
        return spec.group_policy == "affinity"

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        placed = spec.group_hosts
        return not placed or host.host in placed

    def reason(self, spec: SchedulingRequest) -> str:
        return f"not the host of server group {spec.group_uuid} (affinity)"


class ServerGroupAntiAffinityFilter(BaseHostFilter):
    def applies(self, spec: SchedulingRequest) -> bool:
        return spec.group_policy == "anti-affinity"

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        return spec.group_hosts.count(host.host) < max_per_host(spec)

    def reason(self, spec: SchedulingRequest) -> str:
        most = max_per_host(spec)
        return (f"already runs {most} member{'s' if most > 1 else ''} of server group "
                f"{spec.group_uuid} (anti-affinity, at most {most} per host)")
