"""ServerGroupSoftAffinityWeigher and ServerGroupSoftAntiAffinityWeigher: the soft
policies prefer hosts with more (or fewer) members of the request's group."""
from __future__ import annotations

from collections import Counter

from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest
from scheduler.weights import BaseWeigher


def _members_on(host: HostState, spec: SchedulingRequest, policy: str) -> int:
    if spec.group_policy != policy:
        return 0
    return spec.group_hosts.count(host.host)


def _all(hosts: list[HostState], spec: SchedulingRequest, policy: str,
         sign: int) -> list[float] | None:
    if spec.group_policy != policy:
        return None
    counts = Counter(spec.group_hosts)
    return [sign * counts[h.host] for h in hosts]


class ServerGroupSoftAffinityWeigher(BaseWeigher):
    multiplier_option = "soft_affinity_weight_multiplier"

    def weigh(self, host: HostState, spec: SchedulingRequest) -> float:
        return _members_on(host, spec, "soft-affinity")

    def weigh_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[float] | None:
        return _all(hosts, spec, "soft-affinity", 1)


class ServerGroupSoftAntiAffinityWeigher(BaseWeigher):
    multiplier_option = "soft_anti_affinity_weight_multiplier"

    def weigh(self, host: HostState, spec: SchedulingRequest) -> float:
        return -_members_on(host, spec, "soft-anti-affinity")

    def weigh_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[float] | None:
        return _all(hosts, spec, "soft-anti-affinity", -1)
