"""IoOpsWeigher: weighs hosts by their builds and snapshots under way (multiplier: io_ops_weight_multiplier)."""
from __future__ import annotations

from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest
from scheduler.weights import BaseWeigher


class IoOpsWeigher(BaseWeigher):
    multiplier_option = "io_ops_weight_multiplier"

    def weigh(self, host: HostState, spec: SchedulingRequest) -> float:
        return float(host.io_ops)

    def weigh_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[float]:
        return [h.io_ops for h in hosts]
