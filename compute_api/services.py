"""/os-services: list, enable/disable (with a reason), force down, delete."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api.common import Req, conductor, iso, req
from compute_api.schemas import services as schemas
from stratus import exception
from stratus.api.validation import to_bool, validate
from stratus.config import CONF
from stratus.servicegroup import get_driver

router = APIRouter(prefix="/v2.1/os-services")
S = "os_compute_api:os-services:%s"


def view(r: Req, svc: dict[str, Any]) -> dict[str, Any]:
    up = get_driver().is_up(svc)
    body = {"id": svc["id"], "binary": svc["binary"], "host": svc["host"],
            "zone": (CONF.default_availability_zone if svc["binary"] == "stratus-compute"
                     else "internal"),
            "status": "disabled" if svc["disabled"] else "enabled",
            "state": "up" if up else "down",
            "updated_at": iso(svc["updated_at"]),
            "disabled_reason": svc["disabled_reason"]}
    if r.at_least(11):
        body["forced_down"] = svc["forced_down"]
    return body


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(S % "list")
    services = conductor.service_list(r.ctx, host=r.query.get("host"),
                                      binary=r.query.get("binary"))
    return {"services": [view(r, s) for s in services]}


def _set(r: Req, body: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return conductor.service_update(r.ctx, host=body["host"], binary=body["binary"],
                                    values=values)


@router.put("/{action}")
def update(action: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(S % "update")
    if action == "enable":
        validate(body, schemas.enable_disable)
        _set(r, body, {"disabled": False, "disabled_reason": None})
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "status": "enabled"}}
    if action == "disable":
        validate(body, schemas.enable_disable)
        _set(r, body, {"disabled": True})
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "status": "disabled"}}
    if action == "disable-log-reason":
        validate(body, schemas.disable_log_reason)
        _set(r, body, {"disabled": True, "disabled_reason": body["disabled_reason"]})
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "status": "disabled", "disabled_reason": body["disabled_reason"]}}
    if action == "force-down" and r.at_least(11):
        validate(body, schemas.force_down)
        forced = to_bool(body["forced_down"])
        _set(r, body, {"forced_down": forced})
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "forced_down": forced}}
    raise exception.NotFound(f"Unknown action {action}")


@router.delete("/{service_id}", status_code=204)
def delete(service_id: str, r: Req = Depends(req)) -> Response:
    r.authorize(S % "delete")
    try:
        ident = int(service_id)
    except ValueError:
        raise exception.Invalid(f"Invalid uuid {service_id}") from None
    conductor.service_delete(r.ctx, service_id=ident)
    return Response(status_code=204)
