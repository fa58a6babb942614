"""ServerGroupAffinityFilter and ServerGroupAntiAffinityFilter: the hard policies of the
server group named by the `group` hint.

The scheduler reads the hosts of the group's placed members once per request into
spec["group_hosts"] (a host once per member on it) and adds each host it picks.
"""
from __future__ import annotations

from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState


def group_policy(spec: dict[str, Any]) -> str | None:
    return (spec.get("group") or {}).get("policy")


def max_per_host(spec: dict[str, Any]) -> int:
    return int(((spec.get("group") or {}).get("rules") or {}).get("max_server_per_host", 1))


class ServerGroupAffinityFilter(BaseHostFilter):
    def applies(self, spec: dict[str, Any]) -> bool:
        return group_policy(spec) == "affinity"

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        placed = spec.get("group_hosts") or []
        return not placed or host.host in placed

    def reason(self, spec: dict[str, Any]) -> str:
        return f"not the host of server group {spec['group']['uuid']} (affinity)"


class ServerGroupAntiAffinityFilter(BaseHostFilter):
    def applies(self, spec: dict[str, Any]) -> bool:
        return group_policy(spec) == "anti-affinity"

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        return (spec.get("group_hosts") or []).count(host.host) < max_per_host(spec)

    def reason(self, spec: dict[str, Any]) -> str:
        most = max_per_host(spec)
        return (f"already runs {most} member{'s' if most > 1 else ''} of server group "
                f"{spec['group']['uuid']} (anti-affinity, at most {most} per host)")
