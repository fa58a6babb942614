"""POST /servers/{id}/action: one handler per action name, registered with @action and
given its body schemas with @validation.schema (the work is in compute_api/service)."""
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
from stratus.api import validation
from stratus.config import CONF

router = APIRouter(prefix="/v2.1/servers/{server_id}")

ActionHandler = Callable[..., Any]
# Action name -> handler(r=, inst=, body=); filled by @action below.
ACTIONS: dict[str, ActionHandler] = {}


def action(*names: str) -> Callable[[ActionHandler], ActionHandler]:
    def register(handler: ActionHandler) -> ActionHandler:
        for name in names:
            ACTIONS[name] = handler
        return handler
    return register


@action("os-getConsoleOutput")
@validation.schema(schemas.console_output)
def console_output(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    r.authorize("os_compute_api:os-console-output", target(inst))
    raw = (body["os-getConsoleOutput"] or {}).get("length")
    return service.console_output(r.ctx, inst, int(raw) if raw is not None else None)


def _start(r: Req, inst: dict[str, Any], action: PowerAction, **kwargs: Any) -> Response:
    r.authorize(action.policy, target(inst))
    service.start_power_action(r.ctx, inst, action, **kwargs)
    return Response(status_code=202)


@action(*POWER_ACTIONS)
@validation.schema(schemas.no_argument)
def power_action(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    return _start(r, inst, POWER_ACTIONS[next(iter(body))])


@action("reboot")
@validation.schema(schemas.reboot)
def reboot(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    kind = body["reboot"]["type"].upper()
    return _start(r, inst, service.reboot_action(kind), reboot_type=kind)


@action("lock")
@validation.schema(schemas.lock_v21, "2.1", "2.72")
@validation.schema(schemas.lock_v273, "2.73")
def lock(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize("os_compute_api:os-lock-server:lock",
                {"project_id": inst["project_id"], "user_id": inst["user_id"]})
    reason = (body["lock"] or {}).get("locked_reason") if r.at_least(73) else None
    service.lock_server(r.ctx, inst, reason)
    return Response(status_code=202)


@action("unlock")
@validation.schema(schemas.unlock)
def unlock(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize("os_compute_api:os-lock-server:unlock", target(inst))
    if service.locked_by_someone_else(r.ctx, inst):
        r.authorize("os_compute_api:os-lock-server:unlock:unlock_override", target(inst))
    service.unlock_server(r.ctx, inst)
    return Response(status_code=202)


@action("os-resetState")
@validation.schema(schemas.reset_state)
def reset_state(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize("os_compute_api:os-admin-actions:reset_state", target(inst))
    service.reset_state(r.ctx, inst, body["os-resetState"]["state"])
    return Response(status_code=202)


@action("rescue")
@validation.schema(schemas.rescue)
def rescue(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> dict[str, str]:
    r.authorize(service.RESCUE.policy, target(inst))
    request = body["rescue"] or {}
    service.rescue_server(r.ctx, inst, request.get("rescue_image_ref"))
    return {"adminPass": request.get("adminPass") or secrets.token_urlsafe(9)}


@action("unrescue")
@validation.schema(schemas.no_argument)
def unrescue(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    return _start(r, inst, service.UNRESCUE)


@action("shelve")
@validation.schema(schemas.no_argument)
def shelve(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize("os_compute_api:os-shelve:shelve", target(inst))
    service.shelve_server(r.ctx, inst)
    return Response(status_code=202)


@action("shelveOffload")
@validation.schema(schemas.no_argument)
def shelve_offload(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    return _start(r, inst, service.SHELVE_OFFLOAD)


@action("unshelve")
@validation.schema(schemas.no_argument, "2.1", "2.76")
@validation.schema(schemas.unshelve_v277, "2.77", "2.90")
@validation.schema(schemas.unshelve_v291, "2.91")
def unshelve(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize(service.UNSHELVE.policy, target(inst))
    request = body["unshelve"] or {}
    host = request.get("host") if r.at_least(91) else None
    if host is not None:
        r.authorize("os_compute_api:os-shelve:unshelve_to_host", target(inst))
    unpin = "availability_zone" in request and request["availability_zone"] is None
    service.unshelve_server(r.ctx, inst, request.get("availability_zone"), host, unpin)
    return Response(status_code=202)


@action("restore")
@validation.schema(schemas.no_argument)
def restore(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    """Bring back a soft-deleted server (reclaim_instance_interval)."""
    return _start(r, inst, service.RESTORE)


@action("forceDelete")
@validation.schema(schemas.no_argument)
def force_delete(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    """Delete at once, soft-deleted or not."""
    r.authorize("os_compute_api:os-deferred-delete:force", target(inst))
    service.delete_server(r.ctx, inst["uuid"])
    return Response(status_code=202)


@action("changePassword")
@validation.schema(schemas.change_password)
def change_password(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize(service.CHANGE_PASSWORD.policy, target(inst))
    service.change_password(r.ctx, inst, body["changePassword"]["adminPass"])
    return Response(status_code=202)


@action("trigger_crash_dump")
@validation.schema(schemas.no_argument, "2.1", "2.16")
@validation.schema(schemas.trigger_crash_dump, "2.17")
def trigger_crash_dump(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    """2.17."""
    if not r.at_least(17):
        raise exception.ValidationError(reason="There is no such action: trigger_crash_dump")
    r.authorize("os_compute_api:servers:trigger_crash_dump", target(inst))
    service.trigger_crash_dump(r.ctx, inst)
    return Response(status_code=202)


@action("resize")
@validation.schema(schemas.resize)
def resize(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize("os_compute_api:servers:resize", target(inst))
    service.resize_server(r.ctx, inst, body["resize"]["flavorRef"])
    return Response(status_code=202)


@action("confirmResize")
@validation.schema(schemas.no_argument)
def confirm_resize(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize("os_compute_api:servers:confirm_resize", target(inst))
    service.confirm_resize(r.ctx, inst)
    return Response(status_code=204)


@action("revertResize")
@validation.schema(schemas.no_argument)
def revert_resize(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize("os_compute_api:servers:revert_resize", target(inst))
    service.revert_resize(r.ctx, inst)
    return Response(status_code=202)


@action("migrate")
@validation.schema(schemas.migrate_v21, "2.1", "2.55")
@validation.schema(schemas.migrate_v256, "2.56")
def migrate(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    """Cold-migrate the server; from 2.56 an admin may name the host."""
    r.authorize("os_compute_api:os-migrate-server:migrate", target(inst))
    host = (body["migrate"] or {}).get("host") if r.at_least(56) else None
    if host is not None:
        r.authorize("os_compute_api:os-migrate-server:migrate:host", target(inst))
    service.migrate_server(r.ctx, inst, host)
    return Response(status_code=202)


def _image_accepted(r: Req, image_id: str, with_location: bool = True) -> Response:
    """202 for createImage and createBackup: the image id in the body from 2.45, and
    before that its Location."""
    location = f"{CONF.image.public_endpoint.rstrip('/')}/v2/images/{image_id}"
    if r.at_least(45):
        return JSONResponse({"image_id": image_id}, status_code=202,
                            headers={"Location": location})
    return Response(status_code=202, headers={"Location": location} if with_location else {})


@action("createImage")
@validation.schema(schemas.create_image)
def create_image(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize("os_compute_api:servers:create_image", target(inst))
    request = body["createImage"]
    image = service.create_snapshot(r.ctx, inst, request["name"], request.get("metadata", {}))
    return _image_accepted(r, image["id"])


@action("createBackup")
@validation.schema(schemas.create_backup)
def create_backup(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize("os_compute_api:os-create-backup", target(inst))
    request = body["createBackup"]
    rotation = int(request["rotation"])
    image = service.create_backup(r.ctx, inst, request["name"], request["backup_type"],
                                  rotation, request.get("metadata", {}))
    # Before 2.45 Nova gives no Location for rotation 0 (the backup will not be kept).
    return _image_accepted(r, image["id"], with_location=rotation > 0)


@action("rebuild")
@validation.schema(schemas.rebuild_v21, "2.1", "2.18")
@validation.schema(schemas.rebuild_v219, "2.19", "2.53")
@validation.schema(schemas.rebuild_v254, "2.54", "2.56")
@validation.schema(schemas.rebuild_v257, "2.57", "2.62")
@validation.schema(schemas.rebuild_v263, "2.63", "2.89")
@validation.schema(schemas.rebuild_v290, "2.90", "2.93")
@validation.schema(schemas.rebuild_v294, "2.94")
def rebuild(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> JSONResponse:
    r.authorize("os_compute_api:servers:rebuild", target(inst))
    request = body["rebuild"]
    started = service.rebuild_server(r.ctx, r.version, inst, request)
    shown = service.show_server(r.ctx, r.version, started)
    view = server_view.updated(r, started, shown["host_statuses"], rebuilt=True,
                               server_groups=shown["server_groups"])
    if r.at_least(57):
        view["user_data"] = started["user_data"]
    view["adminPass"] = request.get("adminPass") or secrets.token_urlsafe(9)
    return JSONResponse({"server": view}, status_code=202)


@action("evacuate")
@validation.schema(schemas.evacuate_v21, "2.1", "2.13")
@validation.schema(schemas.evacuate_v214, "2.14", "2.28")
@validation.schema(schemas.evacuate_v229, "2.29", "2.67")
@validation.schema(schemas.evacuate_v268, "2.68")
def evacuate(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Any:
    """Rebuild the server on another host because its own host is down (admins)."""
    r.authorize("os_compute_api:os-evacuate", target(inst))
    request = body["evacuate"]
    service.evacuate_server(r.ctx, inst, request.get("host"),
                            request.get("onSharedStorage", False), stop=r.at_least(95))
    if r.at_least(14):
        return Response(status_code=200)
    return {"adminPass": request.get("adminPass") or secrets.token_urlsafe(9)}


@router.post("/action")
def perform(server_id: str, body: Any = Body(None), r: Req = Depends(req)) -> Any:
    if not isinstance(body, dict) or len(body) != 1:
        raise exception.ValidationError(reason="An action body names exactly one action.")
    name = next(iter(body))
    handler = ACTIONS.get(name)
    inst = get_instance(r, server_id)
    if handler is None:
        raise exception.ValidationError(reason=f"There is no such action: {name}")
    return handler(r=r, inst=inst, body=body)


@router.get("/diagnostics")
def diagnostics(server_id: str, r: Req = Depends(req)) -> Any:
    inst = get_instance(r, server_id)
    r.authorize("os_compute_api:os-server-diagnostics", target(inst))
    return service.server_diagnostics(r.ctx, r.version, inst)
