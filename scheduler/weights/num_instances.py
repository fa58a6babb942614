"""NumInstancesWeigher: weighs hosts by their instances (multiplier: num_instances_weight_multiplier)."""
from __future__ import annotations

from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest
from scheduler.weights import BaseWeigher


class NumInstancesWeigher(BaseWeigher):
    multiplier_option = "num_instances_weight_multiplier"

    def weigh(self, host: HostState, spec: SchedulingRequest) -> float:
        return float(host.num_instances)

    def weigh_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[float]:
        return [h.num_instances for h in hosts]
