"""CPUWeigher: weighs hosts by their free vCPUs (multiplier: cpu_weight_multiplier)."""
from __future__ import annotations

from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest
from scheduler.weights import BaseWeigher


class CPUWeigher(BaseWeigher):
    multiplier_option = "cpu_weight_multiplier"

    def weigh(self, host: HostState, spec: SchedulingRequest) -> float:
        return float(host.free_vcpus)

    def weigh_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[float]:
        return [h.free_vcpus for h in hosts]
