"""/os-fixed-ips/{address}: an address of a network, its server's hostname and host, and
from 2.4 whether it is reserved; reserve and unreserve it through /action (admins;
2.1-2.35, 404 from 2.36, as Nova). The work is in compute_api/service."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import service
from compute_api.common import Req
from compute_api.networks import nova_network_req
from compute_api.schemas import networks as schemas
from stratus import exception
from stratus.api import validation

router = APIRouter(prefix="/v2.1/os-fixed-ips")
P = "os_compute_api:os-fixed-ips"
ACTIONS = {"reserve": True, "unreserve": False}


@router.get("/{address}")
def show(address: str, r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P)
    fixed = service.get_fixed_ip(r.ctx, address)
    out = {k: fixed[k] for k in ("address", "cidr", "hostname", "host")}
    if r.at_least(4):
        out["reserved"] = fixed["reserved"]
    return {"fixed_ip": out}


@router.post("/{address}/action", status_code=202)
def action(address: str, body: Any = Body(None),
           r: Req = Depends(nova_network_req)) -> Response:
    if not isinstance(body, dict) or len(body) != 1 or next(iter(body)) not in ACTIONS:
        raise exception.ValidationError(
            reason="The body must hold exactly one of reserve, unreserve.")
    name = next(iter(body))
    r.authorize(P)
    validation.validate(body, schemas.action(name))
    service.reserve_fixed_ip(r.ctx, address, ACTIONS[name])
    return Response(status_code=202)
