"""/os-availability-zone: zones with their state; admins also see each zone's hosts."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api.common import Req, conductor, iso, req
from stratus.config import CONF
from stratus.servicegroup import get_driver

router = APIRouter(prefix="/v2.1/os-availability-zone")
P = "os_compute_api:os-availability-zone:%s"


def _zone_of(service: dict[str, Any]) -> str:
    return CONF.default_availability_zone if service["binary"] == "stratus-compute" \
        else "internal"


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "list")
    group = get_driver()
    zones: dict[str, bool] = {}
    for svc in conductor.service_list(r.ctx, binary="stratus-compute"):
        zone = _zone_of(svc)
        zones[zone] = zones.get(zone, False) or (not svc["disabled"] and group.is_up(svc))
    return {"availabilityZoneInfo": [{"zoneName": z, "zoneState": {"available": up},
                                      "hosts": None} for z, up in sorted(zones.items())]}


@router.get("/detail")
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "detail")
    group = get_driver()
    zones: dict[str, dict[str, dict[str, Any]]] = {}
    for svc in conductor.service_list(r.ctx):
        hosts = zones.setdefault(_zone_of(svc), {})
        hosts.setdefault(svc["host"], {})[svc["binary"]] = {
            "available": group.is_up(svc), "active": not svc["disabled"],
            "updated_at": iso(svc["updated_at"])}
    return {"availabilityZoneInfo": [
        {"zoneName": zone, "zoneState": {"available": any(
            b["available"] and b["active"] for h in hosts.values() for b in h.values())},
         "hosts": hosts} for zone, hosts in sorted(zones.items())]}
