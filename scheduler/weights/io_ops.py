"""IoOpsWeigher: weighs hosts by their builds and snapshots under way (multiplier: io_ops_weight_multiplier)."""
from __future__ import annotations

from typing import Any

from scheduler.host_state import HostState
from scheduler.weights import BaseWeigher


class IoOpsWeigher(BaseWeigher):
    multiplier_option = "io_ops_weight_multiplier"

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        return float(host.io_ops)

    def weigh_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[float]:
        return [h.io_ops for h in hosts]
