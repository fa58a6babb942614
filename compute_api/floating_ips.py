"""/os-floating-ips (nova-network's, 2.1-2.35; 404 from 2.36 as Nova): a project lists,
allocates from a pool, shows and releases its floating IPs; and the server actions
addFloatingIp and removeFloatingIp (up to 2.43, 404 from 2.44 as Nova). The work is in
compute_api/service."""
from __future__ import annotations

import functools
from typing import Any, Callable

from fastapi import APIRouter, Body, Depends, Response

from compute_api.common import Req
from compute_api.networks import nova_network_req
from compute_api.schemas import floating_ips as schemas
from compute_api.server_actions import action, target
from compute_api.service import floating_ips as service
from stratus import exception
from stratus.api import validation

router = APIRouter(prefix="/v2.1/os-floating-ips")
P = "os_compute_api:os-floating-ips:%s"


def view(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "ip": item["address"], "pool": item["pool"],
            "fixed_ip": item["fixed_ip"], "instance_id": item["instance_uuid"]}


@router.get("")
def index(r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P % "list", {"project_id": r.ctx.project_id})
    return {"floating_ips": [view(f) for f in service.list_floating(r.ctx)]}


@router.get("/{floating_id}")
def show(floating_id: str, r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P % "show", {"project_id": r.ctx.project_id})
    return {"floating_ip": view(service.get_floating(r.ctx, floating_id))}


@router.post("")
@validation.schema(schemas.allocate)
def create(body: Any = Body(None), r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P % "create", {"project_id": r.ctx.project_id})
    return {"floating_ip": view(service.allocate(r.ctx, (body or {}).get("pool")))}


@router.delete("/{floating_id}", status_code=202)
def delete(floating_id: str, r: Req = Depends(nova_network_req)) -> Response:
    r.authorize(P % "delete", {"project_id": r.ctx.project_id})
    service.deallocate(r.ctx, floating_id)
    return Response(status_code=202)


def until_2_43(handler: Callable[..., Response]) -> Callable[..., Response]:
    """The nova-network server actions are gone from 2.44: 404 whatever the body, as
    Nova's (its VersionNotFoundForAPIMethod comes before any validation)."""
    @functools.wraps(handler)
    def checked(*args: Any, **kwargs: Any) -> Response:
        request: Req = kwargs["r"] if "r" in kwargs else args[0]
        if request.at_least(44):
            raise exception.NotFound("The resource could not be found.")
        return handler(*args, **kwargs)
    return checked


@action("addFloatingIp")
@until_2_43
@validation.schema(schemas.add_floating_ip)
def add_floating_ip(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize(P % "add", target(inst))
    request = body["addFloatingIp"]
    service.associate(r.ctx, inst, request["address"], request.get("fixed_address"))
    return Response(status_code=202)


@action("removeFloatingIp")
@until_2_43
@validation.schema(schemas.remove_floating_ip)
def remove_floating_ip(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize(P % "remove", target(inst))
    service.disassociate(r.ctx, inst, body["removeFloatingIp"]["address"])
    return Response(status_code=202)
