"""DiskWeigher: weighs hosts by their free disk (multiplier: disk_weight_multiplier)."""
from __future__ import annotations

from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest
from scheduler.weights import BaseWeigher


class DiskWeigher(BaseWeigher):
    multiplier_option = "disk_weight_multiplier"

    def weigh(self, host: HostState, spec: SchedulingRequest) -> float:
        return float(host.free_disk_gb)

    def weigh_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[float]:
        return [h.free_disk_gb for h in hosts]
