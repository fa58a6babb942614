"""ServerGroupSoftAffinityWeigher and ServerGroupSoftAntiAffinityWeigher: the soft
policies prefer hosts with more (or fewer) members of the request's group."""
from __future__ import annotations

from collections import Counter
from typing import Any

from scheduler.host_state import HostState
from scheduler.weights import BaseWeigher


def _members_on(host: HostState, spec: dict[str, Any], policy: str) -> int:
    if (spec.get("group") or {}).get("policy") != policy:
        return 0
    return (spec.get("group_hosts") or []).count(host.host)


def _all(hosts: list[HostState], spec: dict[str, Any], policy: str,
         sign: int) -> list[float] | None:
    if (spec.get("group") or {}).get("policy") != policy:
        return None
    counts = Counter(spec.get("group_hosts") or [])
    return [sign * counts[h.host] for h in hosts]


class ServerGroupSoftAffinityWeigher(BaseWeigher):
    multiplier_option = "soft_affinity_weight_multiplier"

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        return _members_on(host, spec, "soft-affinity")

    def weigh_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[float] | None:
        return _all(hosts, spec, "soft-affinity", 1)


class ServerGroupSoftAntiAffinityWeigher(BaseWeigher):
    multiplier_option = "soft_anti_affinity_weight_multiplier"

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        return -_members_on(host, spec, "soft-anti-affinity")

    def weigh_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[float] | None:
        return _all(hosts, spec, "soft-anti-affinity", -1)
