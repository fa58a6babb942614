"""AvailabilityZoneFilter: the host is in the zone the request asked for."""
from __future__ import annotations

from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState


class AvailabilityZoneFilter(BaseHostFilter):
    def applies(self, spec: dict[str, Any]) -> bool:
        return bool(spec.get("availability_zone"))

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        zone = spec.get("availability_zone")
        return not zone or host.availability_zone == zone

    def filter_all(self, hosts: list[HostState], spec: dict[str, Any]) -> list[HostState]:
        zone = spec.get("availability_zone")
        return [h for h in hosts if h.availability_zone == zone] if zone else list(hosts)

    def reason(self, spec: dict[str, Any]) -> str:
        return f"not in zone {spec.get('availability_zone')}"
