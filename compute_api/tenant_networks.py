"""/os-tenant-networks: the networks of the caller's project (2.1-2.35; 404 from 2.36,
as Nova): list and show those it may use (its own and the shared ones), create one for
it, delete one of its own. The work is in compute_api/service."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import service
from compute_api.common import Req
from compute_api.networks import nova_network_req
from compute_api.schemas import networks as schemas
from stratus.api import validation

router = APIRouter(prefix="/v2.1/os-tenant-networks")
P = "os_compute_api:os-tenant-networks"


def view(net: dict[str, Any]) -> dict[str, Any]:
    return {"id": net["uuid"], "cidr": net["cidr"], "label": net["label"]}


def _target(r: Req) -> dict[str, Any]:
    return {"project_id": r.ctx.project_id}


@router.get("")
def index(r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P + ":list", _target(r))
    return {"networks": [view(n) for n in service.list_tenant_networks(r.ctx)]}


@router.post("")
@validation.schema(schemas.tenant_create)
def create(body: Any = Body(None), r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P, _target(r))
    values = service.tenant_network_values(r.ctx, body["network"])
    return {"network": view(service.create_network(r.ctx, values))}


@router.get("/{network_id}")
def show(network_id: str, r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P + ":show", _target(r))
    return {"network": view(service.get_tenant_network(r.ctx, network_id))}


@router.delete("/{network_id}", status_code=202)
def delete(network_id: str, r: Req = Depends(nova_network_req)) -> Response:
    r.authorize(P, _target(r))
    service.delete_tenant_network(r.ctx, network_id)
    return Response(status_code=202)
