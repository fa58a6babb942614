"""/os-services: list, enable/disable (with a reason), force down, delete (the work is
in compute_api/service).

From 2.53 services are named by uuid: `PUT /os-services/{uuid}` replaces the
action routes (whose names then fail as invalid uuids, as in Nova).
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import service
from compute_api.common import Req, iso, query_params, refuse_unknown_query, req
from compute_api.ids import parse_uuid
from compute_api.schemas import services as schemas
from stratus import exception
from stratus.api.validation import to_bool, validate

router = APIRouter(prefix="/v2.1/os-services")
S = "os_compute_api:os-services:%s"


def _view(r: Req, described: dict[str, Any]) -> dict[str, Any]:
    """A service with its zone and liveness (as compute_api/service describes it)."""
    svc = described["service"]
    body = {"id": svc["uuid"] if r.at_least(53) else svc["id"],
            "binary": service.wire_binary(svc["binary"]), "host": svc["host"], "zone": described["zone"],
            "status": "disabled" if svc["disabled"] else "enabled",
            "state": "up" if described["up"] else "down",
            "updated_at": iso(svc["updated_at"]),
            "disabled_reason": svc["disabled_reason"]}
    if r.at_least(11):
        body["forced_down"] = svc["forced_down"]
    return body


@router.get("")
@query_params("host", "binary")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, {"host", "binary"})
    r.authorize(S % "list")
    services = service.list_services(r.ctx, r.query.get("host"), r.query.get("binary"))
    return {"services": [_view(r, s) for s in services]}


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
        service.enable_service(r.ctx, body["host"], body["binary"])
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "status": "enabled"}}
    if action == "disable":
        validate(body, schemas.enable_disable)
        service.disable_service(r.ctx, body["host"], body["binary"])
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "status": "disabled"}}
    if action == "disable-log-reason":
        validate(body, schemas.disable_log_reason)
        service.disable_service(r.ctx, body["host"], body["binary"], body["disabled_reason"])
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "status": "disabled", "disabled_reason": body["disabled_reason"]}}
    if action == "force-down" and r.at_least(11):
        validate(body, schemas.force_down)
        forced = to_bool(body["forced_down"])
        service.force_down_service(r.ctx, body["host"], body["binary"], forced)
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "forced_down": forced}}
    raise exception.NotFound(f"Unknown action {action}")


def _update_by_uuid(r: Req, service_id: str, body: Any) -> dict[str, Any]:
    validate(body, schemas.update_v253)
    updated = service.update_compute_service(r.ctx, parse_uuid(service_id), body)
    return {"service": _view(r, updated)}


@router.delete("/{service_id}", status_code=204)
def delete(service_id: str, r: Req = Depends(req)) -> Response:
    r.authorize(S % "delete")
    if r.at_least(53):
        service.delete_service(r.ctx, service_uuid=parse_uuid(service_id))
    else:
        service.delete_service(r.ctx, service_id=service.parse_service_id(service_id))
    return Response(status_code=204)
