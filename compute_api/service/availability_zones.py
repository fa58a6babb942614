"""Availability zones with their state and hosts, behind /os-availability-zone.

A compute host's zone comes from its aggregates (stratus/availability_zones.py)."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from compute_api.service.services import wire_binary
from stratus.availability_zones import host_zones, zone_of
from stratus.context import RequestContext
from stratus.servicegroup import get_driver


def _zones(ctx: RequestContext) -> dict[str, str]:
    return host_zones(conductor.aggregate_list(ctx.elevated()))


def zone_states(ctx: RequestContext) -> dict[str, bool]:
    """Zone -> whether it has an enabled, live compute service, in zone name order."""
    group, zones = get_driver(), _zones(ctx)
    available: dict[str, bool] = {}
    for svc in conductor.service_list(ctx, binary="stratus-compute"):
        zone = zone_of(svc, zones)
        available[zone] = available.get(zone, False) or (not svc["disabled"]
                                                          and group.is_up(svc))
    return dict(sorted(available.items()))


def zone_details(ctx: RequestContext) -> list[dict[str, Any]]:
    """Every zone of a service, in name order: {"zone", "available", "hosts"}, hosts as
    host -> binary -> {"available", "active", "updated_at"}; a zone is available when
    one of its services is both."""
    group, zones = get_driver(), _zones(ctx)
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for svc in conductor.service_list(ctx):
        hosts = found.setdefault(zone_of(svc, zones), {})
        hosts.setdefault(svc["host"], {})[wire_binary(svc["binary"])] = {
            "available": group.is_up(svc), "active": not svc["disabled"],
            "updated_at": svc["updated_at"]}
    return [{"zone": zone, "available": any(b["available"] and b["active"]
                                            for h in hosts.values() for b in h.values()),
             "hosts": hosts} for zone, hosts in sorted(found.items())]
