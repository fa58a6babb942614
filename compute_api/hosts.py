"""/os-hosts (deprecated; 2.1 to 2.42, every route 404 from 2.43 as in Nova): the hosts of
the services, a compute host's resource use, enabling and disabling a host, and the host
power actions no driver has (the work is in compute_api/service)."""
from __future__ import annotations

from typing import Any, NoReturn

from fastapi import APIRouter, Body, Depends

from compute_api import service
from compute_api.common import Req, req
from compute_api.schemas import hosts as schemas
from stratus import exception
from stratus.api import validation

router = APIRouter(prefix="/v2.1/os-hosts")
P = "os_compute_api:os-hosts:%s"


def hosts_req(r: Req = Depends(req)) -> Req:
    """The request, if os-hosts is still served at its version (before any validation)."""
    if r.at_least(43):
        raise exception.NotFound("The resource could not be found.")
    return r


@router.get("")
def index(r: Req = Depends(hosts_req)) -> dict[str, Any]:
    r.authorize(P % "list")
    return {"hosts": service.list_hosts(r.ctx, r.query.get("zone"))}


@router.get("/{host_name}")
def show(host_name: str, r: Req = Depends(hosts_req)) -> dict[str, Any]:
    r.authorize(P % "show")
    return {"host": [{"resource": row} for row in service.host_resources(r.ctx, host_name)]}


@router.put("/{host_name}")
@validation.schema(schemas.update, "2.1", "2.42")
def update(host_name: str, body: Any = Body(None),
           r: Req = Depends(hosts_req)) -> dict[str, Any]:
    r.authorize(P % "update")

    def enable(value: str | None) -> bool | None:
        return None if value is None else value.lower() == "enable"
    return service.update_host(r.ctx, host_name, enable(body.get("status")),
                               enable(body.get("maintenance_mode")))


def _power_action(r: Req, host_name: str, action: str, rule: str) -> NoReturn:
    """Nova's answer would be {"host": host_name, "power_action": action}; no driver of
    ours has the action, so it is 404 for an unknown host, else 501."""
    r.authorize(P % rule)
    service.host_power_action(r.ctx, host_name, action)


@router.get("/{host_name}/startup")
def startup(host_name: str, r: Req = Depends(hosts_req)) -> dict[str, Any]:
    return _power_action(r, host_name, "startup", "start")


@router.get("/{host_name}/shutdown")
def shutdown(host_name: str, r: Req = Depends(hosts_req)) -> dict[str, Any]:
    return _power_action(r, host_name, "shutdown", "shutdown")


@router.get("/{host_name}/reboot")
def reboot(host_name: str, r: Req = Depends(hosts_req)) -> dict[str, Any]:
    return _power_action(r, host_name, "reboot", "reboot")
