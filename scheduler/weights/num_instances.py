"""NumInstancesWeigher: weighs hosts by their instances (multiplier: num_instances_weight_multiplier)."""
from __future__ import annotations

from typing import Any

from scheduler.host_state import HostState
from scheduler.weights import BaseWeigher


class NumInstancesWeigher(BaseWeigher):
    multiplier_option = "num_instances_weight_multiplier"

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        return float(host.num_instances)

    def weigh_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[float]:
        return [h.num_instances for h in hosts]
