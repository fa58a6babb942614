"""RAMWeigher: prefer hosts with more free RAM (negative multiplier stacks)."""
from __future__ import annotations

from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest
from scheduler.weights import BaseWeigher


class RAMWeigher(BaseWeigher):
    multiplier_option = "ram_weight_multiplier"

    def weigh(self, host: HostState, spec: SchedulingRequest) -> float:
        return host.free_ram_mb

    def weigh_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[float]:
        return [h.free_ram_mb for h in hosts]
