"""/os-availability-zone: zones with their state; admins also see each zone's hosts.

A compute host's zone comes from its aggregates (stratus/availability_zones.py)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api.common import Req, conductor, iso, req
from stratus.availability_zones import host_zones, zone_of
from stratus.servicegroup import get_driver

router = APIRouter(prefix="/v2.1/os-availability-zone")
P = "os_compute_api:os-availability-zone:%s"


def _zones(r: Req) -> dict[str, str]:
    return host_zones(conductor.aggregate_list(r.ctx.elevated()))


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "list")
    group, zones = get_driver(), _zones(r)
    available: dict[str, bool] = {}
    for svc in conductor.service_list(r.ctx, binary="stratus-compute"):
        zone = zone_of(svc, zones)
        available[zone] = available.get(zone, False) or (not svc["disabled"]
                                                          and group.is_up(svc))
    return {"availabilityZoneInfo": [{"zoneName": z, "zoneState": {"available": up},
                                      "hosts": None} for z, up in sorted(available.items())]}


@router.get("/detail")
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "detail")
    group, zones = get_driver(), _zones(r)
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for svc in conductor.service_list(r.ctx):
        hosts = found.setdefault(zone_of(svc, zones), {})
        hosts.setdefault(svc["host"], {})[svc["binary"]] = {
            "available": group.is_up(svc), "active": not svc["disabled"],
            "updated_at": iso(svc["updated_at"])}
    return {"availabilityZoneInfo": [
        {"zoneName": zone, "zoneState": {"available": any(
            b["available"] and b["active"] for h in hosts.values() for b in h.values())},
         "hosts": hosts} for zone, hosts in sorted(found.items())]}
