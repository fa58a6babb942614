"""POST /servers/{id}/action: one handler per action name (the work is in
compute_api/service)."""
from __future__ import annotations

import secrets
from typing import Any, Callable

from fastapi import APIRouter, Body, Depends, Response
from fastapi.responses import JSONResponse

from compute_api import server_view, service
from compute_api.common import Req, req
from compute_api.schemas import actions as schemas
from compute_api.service import POWER_ACTIONS, PowerAction
from compute_api.servers import get_instance, target
from stratus import exception
from stratus.api.validation import validate
from stratus.config import CONF

router = APIRouter(prefix="/v2.1/servers/{server_id}")


def console_output(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    validate(body, schemas.console_output)
    r.authorize("os_compute_api:os-console-output", target(inst))
    raw = (body["os-getConsoleOutput"] or {}).get("length")
    return service.console_output(r.ctx, inst, int(raw) if raw is not None else None)


def _start(r: Req, inst: dict[str, Any], action: PowerAction, **kwargs: Any) -> Response:
    r.authorize(action.policy, target(inst))
    service.start_power_action(r.ctx, inst, action, **kwargs)
    return Response(status_code=202)


def power_action(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    name = next(iter(body))
    validate(body, schemas.no_argument(name))
    return _start(r, inst, POWER_ACTIONS[name])


def reboot(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    validate(body, schemas.reboot)
    kind = body["reboot"]["type"].upper()
    return _start(r, inst, service.reboot_action(kind), reboot_type=kind)


def create_image(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    validate(body, schemas.create_image)
    r.authorize("os_compute_api:servers:create_image", target(inst))
    request = body["createImage"]
    image = service.create_snapshot(r.ctx, inst, request["name"], request.get("metadata", {}))
    location = f"{CONF.image.public_endpoint.rstrip('/')}/v2/images/{image['id']}"
    if r.at_least(45):
        return JSONResponse({"image_id": image["id"]}, status_code=202,
                            headers={"Location": location})
    return Response(status_code=202, headers={"Location": location})


def rebuild(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> JSONResponse:
    validate(body, schemas.rebuild(r.version))
    r.authorize("os_compute_api:servers:rebuild", target(inst))
    request = body["rebuild"]
    started = service.rebuild_server(r.ctx, r.version, inst, request)
    view = server_view.detail(r, started)
    if r.at_least(57):
        view["user_data"] = started["user_data"]
    view["adminPass"] = request.get("adminPass") or secrets.token_urlsafe(9)
    return JSONResponse({"server": view}, status_code=202)


def evacuate(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Any:
    """Rebuild the server on another host because its own host is down (admins)."""
    validate(body, schemas.evacuate(r.version))
    r.authorize("os_compute_api:os-evacuate", target(inst))
    request = body["evacuate"]
    service.evacuate_server(r.ctx, inst, request.get("host"),
                            request.get("onSharedStorage", False))
    if r.at_least(14):
        return Response(status_code=200)
    return {"adminPass": request.get("adminPass") or secrets.token_urlsafe(9)}


ACTIONS: dict[str, Callable[[Req, dict[str, Any], dict[str, Any]], Any]] = {
    "rebuild": rebuild,
    "evacuate": evacuate,
    "createImage": create_image,
    "os-getConsoleOutput": console_output,
    "reboot": reboot,
    **{name: power_action for name in POWER_ACTIONS},
}


@router.post("/action")
def action(server_id: str, body: Any = Body(None), r: Req = Depends(req)) -> Any:
    if not isinstance(body, dict) or len(body) != 1:
        raise exception.ValidationError(reason="An action body names exactly one action.")
    name = next(iter(body))
    handler = ACTIONS.get(name)
    inst = get_instance(r, server_id)
    if handler is None:
        raise exception.ValidationError(reason=f"There is no such action: {name}")
    return handler(r, inst, body)


@router.get("/diagnostics")
def diagnostics(server_id: str, r: Req = Depends(req)) -> Any:
    inst = get_instance(r, server_id)
    r.authorize("os_compute_api:os-server-diagnostics", target(inst))
    return service.server_diagnostics(r.ctx, r.version, inst)
