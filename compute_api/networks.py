"""/os-networks: nova-network's network API (2.1-2.35; 404 from 2.36, as Nova). Anyone
lists and shows the networks their project may use (admins: all, with every field);
admins create, delete, add a network to their project and (dis)associate projects and
hosts through /action (os-networks-associate). The work is in compute_api/service."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import service
from compute_api.common import Req, req
from compute_api.schemas import networks as schemas
from stratus import exception
from stratus.api import validation

router = APIRouter(prefix="/v2.1/os-networks")
P = "os_compute_api:os-networks"
ASSOCIATE = "os_compute_api:os-networks-associate"
# Nova's network_dict: what everyone sees, and what admins see besides.
BASIC = ("id", "cidr", "netmask", "gateway", "broadcast", "dns1", "dns2", "cidr_v6",
         "gateway_v6", "label", "netmask_v6")
ADMIN_ONLY = ("created_at", "updated_at", "deleted_at", "deleted", "injected", "bridge",
              "vlan", "vpn_public_address", "vpn_public_port", "vpn_private_address",
              "dhcp_start", "project_id", "host", "bridge_interface", "multi_host",
              "priority", "rxtx_base", "mtu", "dhcp_server", "enable_dhcp", "share_address")
# Fields of nova-network Stratus has no counterpart of, as a network without them shows.
ABSENT = {"injected": False, "vpn_public_address": None, "vpn_public_port": None,
          "vpn_private_address": None, "rxtx_base": None, "share_address": False}


def nova_network_req(r: Req = Depends(req)) -> Req:
    """A request to a nova-network API: none from 2.36 on (MAX_PROXY_API_SUPPORT_VERSION
    2.35, as Nova)."""
    if r.at_least(36):
        raise exception.NotFound("The resource could not be found.")
    return r


def _time(value: str | None) -> str | None:
    """Times as Nova's network views print them: 2011-08-15T06:19:19.000000."""
    return value + ".000000" if value else None


def view(r: Req, net: dict[str, Any]) -> dict[str, Any]:
    values = {**net, **ABSENT, "id": net["uuid"], "deleted": bool(net["deleted"]),
              "dhcp_server": net["gateway"],
              **{k: _time(net[k]) for k in ("created_at", "updated_at", "deleted_at")}}
    fields = BASIC + ADMIN_ONLY if r.ctx.is_admin else BASIC
    return {k: values.get(k) for k in fields}


@router.get("")
def index(r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P + ":list", {"project_id": r.ctx.project_id})
    return {"networks": [view(r, n) for n in service.list_networks(r.ctx)]}


@router.post("")
@validation.schema(schemas.create)
def create(body: Any = Body(None), r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P)
    values = service.network_values(body["network"])
    return {"network": view(r, service.create_network(r.ctx, values))}


@router.post("/add", status_code=202)
@validation.schema(schemas.add)
def add(body: Any = Body(None), r: Req = Depends(nova_network_req)) -> Response:
    r.authorize(P)
    service.add_network_to_project(r.ctx, body["id"])
    return Response(status_code=202)


@router.get("/{network_id}")
def show(network_id: str, r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P + ":show", {"project_id": r.ctx.project_id})
    return {"network": view(r, service.get_network(r.ctx, network_id))}


@router.delete("/{network_id}", status_code=202)
def delete(network_id: str, r: Req = Depends(nova_network_req)) -> Response:
    r.authorize(P)
    service.delete_network(r.ctx, network_id)
    return Response(status_code=202)


# action -> (policy, the values it sets); associate_host takes its host from the body.
ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "disassociate": (P, {"project_id": None, "host": None}),
    "disassociate_host": (ASSOCIATE, {"host": None}),
    "disassociate_project": (ASSOCIATE, {"project_id": None}),
    "associate_host": (ASSOCIATE, {}),
}


@router.post("/{network_id}/action", status_code=202)
def action(network_id: str, body: Any = Body(None),
           r: Req = Depends(nova_network_req)) -> Response:
    if not isinstance(body, dict) or len(body) != 1 or next(iter(body)) not in ACTIONS:
        raise exception.ValidationError(
            reason=f"The body must hold exactly one of {', '.join(ACTIONS)}.")
    name = next(iter(body))
    rule, values = ACTIONS[name]
    r.authorize(rule)
    if name == "associate_host":
        validation.validate(body, schemas.associate_host)
        values = {"host": body[name]}
    else:
        validation.validate(body, schemas.action(name))
    service.associate_network(r.ctx, network_id, values)
    return Response(status_code=202)
