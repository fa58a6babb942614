"""CPUWeigher: weighs hosts by their free vCPUs (multiplier: cpu_weight_multiplier)."""
from __future__ import annotations

from typing import Any

from scheduler.host_state import HostState
from scheduler.weights import BaseWeigher


class CPUWeigher(BaseWeigher):
    multiplier_option = "cpu_weight_multiplier"

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        return float(host.free_vcpus)

    def weigh_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[float]:
        return [h.free_vcpus for h in hosts]
