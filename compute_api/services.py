"""/os-services: list, enable/disable (with a reason), force down, delete.

From 2.53 services are named by uuid: `PUT /os-services/{uuid}` replaces the
action routes (whose names then fail as invalid uuids, as in Nova).
"""
from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api.common import Req, conductor, iso, req
from compute_api.ids import parse_uuid
from compute_api.schemas import services as schemas
from stratus import exception
from stratus.api.validation import MAX_INT, to_bool, validate
from stratus.availability_zones import host_zones, zone_of
from stratus.servicegroup import get_driver

router = APIRouter(prefix="/v2.1/os-services")
S = "os_compute_api:os-services:%s"


def views(r: Req, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Services with their zone (from aggregates) and liveness (one service-group
    query for the whole list)."""
    zones = host_zones(conductor.aggregate_list(r.ctx))
    now = time.time()
    until = get_driver().up_until_many(services)
    return [_view(r, svc, zone_of(svc, zones), up >= now) for svc, up in zip(services, until)]


def _view(r: Req, svc: dict[str, Any], zone: str, up: bool) -> dict[str, Any]:
    body = {"id": svc["uuid"] if r.at_least(53) else svc["id"],
            "binary": svc["binary"], "host": svc["host"], "zone": zone,
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
    return {"services": views(r, services)}


def _set(r: Req, body: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return conductor.service_update(r.ctx, host=body["host"], binary=body["binary"],
                                    values=values)


@router.put("/{service_id}")
def update(service_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(S % "update")
    if r.at_least(53):
        return _update_by_uuid(r, service_id, body)
    return _update_by_action(r, service_id, body)


def _update_by_action(r: Req, action: str, body: Any) -> dict[str, Any]:
    """Before 2.53: the action in the path, the service named by host and binary."""
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


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    """The columns a 2.53 update body sets."""
    values: dict[str, Any] = {}
    if body.get("status") == "enabled":
        if body.get("disabled_reason"):
            raise exception.Invalid("Specifying 'disabled_reason' with status 'enabled' "
                                    "is invalid.")
        values.update(disabled=False, disabled_reason=None)
    elif body.get("status") == "disabled":
        values.update(disabled=True, disabled_reason=body.get("disabled_reason"))
    if "forced_down" in body:
        values["forced_down"] = to_bool(body["forced_down"])
    if not values:
        raise exception.Invalid("No updates were requested. Fields 'status' or "
                                "'forced_down' should be specified.")
    return values


def _update_by_uuid(r: Req, service_id: str, body: Any) -> dict[str, Any]:
    validate(body, schemas.update_v253)
    service_uuid = parse_uuid(service_id)
    service = conductor.service_get(r.ctx, service_uuid=service_uuid)
    if service["binary"] != "stratus-compute":
        raise exception.Invalid(f"Updating a {service['binary']} service is not supported. "
                                f"Only stratus-compute services can be updated.")
    updated = conductor.service_update(r.ctx, service_uuid=service_uuid,
                                       values=_changes(body))
    return {"service": views(r, [updated])[0]}


@router.delete("/{service_id}", status_code=204)
def delete(service_id: str, r: Req = Depends(req)) -> Response:
    r.authorize(S % "delete")
    if r.at_least(53):
        conductor.service_delete(r.ctx, service_uuid=parse_uuid(service_id))
        return Response(status_code=204)
    conductor.service_delete(r.ctx, service_id=_service_id(service_id))
    return Response(status_code=204)


def _service_id(service_id: str) -> int:
    shown = service_id[:64]
    try:
        ident = int(service_id)
    except ValueError:
        raise exception.Invalid(f"Invalid id {shown}: it must be an integer.") from None
    if not 0 <= ident <= MAX_INT:
        # No row has such an id; SQLite could not even compare it (past 64 bits).
        raise exception.ServiceNotFound(service_id=shown)
    return ident
