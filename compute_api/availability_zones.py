"""/os-availability-zone: zones with their state; admins also see each zone's hosts
(the work is in compute_api/service).

A compute host's zone comes from its aggregates (stratus/availability_zones.py)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api import service
from compute_api.common import Req, iso, req

router = APIRouter(prefix="/v2.1/os-availability-zone")
P = "os_compute_api:os-availability-zone:%s"


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "list")
    return {"availabilityZoneInfo": [{"zoneName": z, "zoneState": {"available": up},
                                      "hosts": None}
                                     for z, up in service.zone_states(r.ctx).items()]}


def _hosts(hosts: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    return {host: {binary: {**state, "updated_at": iso(state["updated_at"])}
                   for binary, state in binaries.items()}
            for host, binaries in hosts.items()}


@router.get("/detail")
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "detail")
    return {"availabilityZoneInfo": [
        {"zoneName": z["zone"], "zoneState": {"available": z["available"]},
         "hosts": _hosts(z["hosts"])} for z in service.zone_details(r.ctx)]}
