"""AvailabilityZoneFilter: the host is in the zone the request asked for."""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest


class AvailabilityZoneFilter(BaseHostFilter):
    def applies(self, spec: SchedulingRequest) -> bool:
        return bool(spec.availability_zone)

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        zone = spec.availability_zone
        return not zone or host.availability_zone == zone

    def filter_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[HostState]:
        zone = spec.availability_zone
        return [h for h in hosts if h.availability_zone == zone] if zone else list(hosts)

    def reason(self, spec: SchedulingRequest) -> str:
        return f"not in zone {spec.availability_zone}"
