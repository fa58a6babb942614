"""POST /servers/{id}/action: one handler per action name."""
from __future__ import annotations

from typing import Any, Callable

import base64
import binascii
import dataclasses
import secrets

from fastapi import APIRouter, Body, Depends, Response
from fastapi.responses import JSONResponse

from compute_agent.rpcapi import ComputeAPI
from compute_api.common import Req, conductor, req
from compute_api.schemas import actions as schemas
from compute_api import diagnostics as server_diagnostics, server_view
from compute_api.servers import get_instance, owner_filter, resolve_image, target
from stratus import exception, image_properties
from stratus.api.validation import to_bool, validate
from stratus.config import CONF
from stratus.objects import states
from stratus.rpc import SharedClient

router = APIRouter(prefix="/v2.1/servers/{server_id}")
compute = SharedClient(ComputeAPI)


def console_output(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    validate(body, schemas.console_output)
    r.authorize("os_compute_api:os-console-output", target(inst))
    if inst["vm_state"] not in (states.ACTIVE, states.STOPPED, states.PAUSED,
                                states.SUSPENDED) or not inst["host"]:
        raise exception.Conflict(reason=f"Instance {inst['uuid']} is not ready: its console "
                                        f"has no output yet.")
    raw = (body["os-getConsoleOutput"] or {}).get("length")
    length = int(raw) if raw is not None else None
    output = compute.get_console_output(r.ctx, _server=inst["host"], instance=inst,
                                        length=length)
    return {"output": output}


@dataclasses.dataclass(frozen=True)
class PowerAction:
    """An action the compute agent carries out: allowed states, policy, RPC method."""
    name: str
    policy: str
    vm_states: tuple[str, ...]
    task_state: str
    method: str
    task_states: tuple[str | None, ...] = (None,)


POWER_ACTIONS = {a.name: a for a in [
    PowerAction("os-stop", "os_compute_api:servers:stop", (states.ACTIVE, states.ERROR),
                states.POWERING_OFF, "stop_instance"),
    PowerAction("os-start", "os_compute_api:servers:start", (states.STOPPED,),
                states.POWERING_ON, "start_instance"),
    PowerAction("pause", "os_compute_api:os-pause-server:pause", (states.ACTIVE,),
                states.PAUSING, "pause_instance"),
    PowerAction("unpause", "os_compute_api:os-pause-server:unpause", (states.PAUSED,),
                states.UNPAUSING, "unpause_instance"),
    PowerAction("suspend", "os_compute_api:os-suspend-server:suspend", (states.ACTIVE,),
                states.SUSPENDING, "suspend_instance"),
    PowerAction("resume", "os_compute_api:os-suspend-server:resume", (states.SUSPENDED,),
                states.RESUMING, "resume_instance"),
]}
SOFT_REBOOT = PowerAction("reboot", "os_compute_api:servers:reboot", (states.ACTIVE,),
                          states.REBOOTING, "reboot_instance")
HARD_REBOOT = PowerAction("reboot", "os_compute_api:servers:reboot",
                          (states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED,
                           states.ERROR), states.REBOOTING_HARD, "reboot_instance",
                          (None, states.REBOOTING))


def _start(r: Req, inst: dict[str, Any], action: PowerAction, **kwargs: Any) -> Response:
    r.authorize(action.policy, target(inst))
    if not inst["host"]:
        raise exception.InstanceInvalidState(action=action.name, instance_uuid=inst["uuid"],
                                             attr="host", state="None")
    started = conductor.instance_action_start(
        r.ctx, instance_uuid=inst["uuid"], action=action.name.removeprefix("os-"),
        task_state=action.task_state, vm_states=list(action.vm_states),
        task_states=list(action.task_states), project_id=owner_filter(r))
    getattr(compute, action.method)(r.ctx, _server=inst["host"], instance=started, **kwargs)
    return Response(status_code=202)


def power_action(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    name = next(iter(body))
    validate(body, schemas.no_argument(name))
    return _start(r, inst, POWER_ACTIONS[name])


def reboot(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    validate(body, schemas.reboot)
    kind = body["reboot"]["type"].upper()
    return _start(r, inst, HARD_REBOOT if kind == "HARD" else SOFT_REBOOT, reboot_type=kind)


# Image properties a snapshot keeps from the image its server was booted from.
INHERITED = ("kernel_id", "ramdisk_id", "os_command_line", "os_distro", "os_type",
             "architecture", "hw_disk_bus", "hw_machine_type")


def create_image(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    validate(body, schemas.create_image)
    r.authorize("os_compute_api:servers:create_image", target(inst))
    if not inst["host"]:
        raise exception.InstanceInvalidState(action="createImage", instance_uuid=inst["uuid"],
                                             attr="host", state="None")
    request = body["createImage"]
    reserved = image_properties.reserved(request.get("metadata", {}))
    if reserved:
        raise exception.Invalid(f"Image metadata may not set {', '.join(reserved)}: "
                                f"reserved attributes of the image service.")
    try:
        source = conductor.image_get(r.ctx, image_id=inst["image_ref"])
        inherited = {k: v for k, v in source["properties"].items() if k in INHERITED}
    except exception.ImageNotFound:
        inherited = {}
    image = conductor.image_create(r.ctx, values={
        "name": request["name"], "status": "queued", "visibility": "private",
        "owner": inst["project_id"], "container_format": "bare",
        "min_disk": inst["flavor"]["root_gb"], "min_ram": 0,
        "properties": {**inherited, **request.get("metadata", {}),
                       "instance_uuid": inst["uuid"], "base_image_ref": inst["image_ref"],
                       "image_type": "snapshot", "user_id": r.ctx.user_id}})
    try:
        started = conductor.instance_action_start(
            r.ctx, instance_uuid=inst["uuid"], action="createImage",
            task_state=states.IMAGE_SNAPSHOT,
            vm_states=[states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED],
            project_id=owner_filter(r))
    except exception.StratusError:
        conductor.image_delete(r.ctx, image_id=image["id"])
        raise
    compute.snapshot_instance(r.ctx, _server=inst["host"], instance=started,
                              image_id=image["id"])
    location = f"{CONF.image.public_endpoint.rstrip('/')}/v2/images/{image['id']}"
    if r.at_least(45):
        return JSONResponse({"image_id": image["id"]}, status_code=202,
                            headers={"Location": location})
    return Response(status_code=202, headers={"Location": location})


def _rebuild_key_pair(r: Req, request: dict[str, Any]) -> dict[str, Any]:
    """2.54: the caller's key pair `key_name` replaces the server's; null removes it."""
    if not r.at_least(54) or "key_name" not in request:
        return {}
    name = request["key_name"]
    if name is None:
        return {"key_name": None, "key_data": None}
    try:
        key = conductor.keypair_get(r.ctx, user_id=r.ctx.user_id, name=name)
    except exception.KeypairNotFound:
        raise exception.Invalid("Invalid key_name provided.") from None
    return {"key_name": key["name"], "key_data": key["public_key"]}


def _user_data(value: str | None) -> str | None:
    """2.57: new user data for the rebuilt server; null removes it."""
    if value is not None:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise exception.Invalid("User data needs to be valid base 64.") from None
    return value


def rebuild(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> JSONResponse:
    validate(body, schemas.rebuild(r.version))
    r.authorize("os_compute_api:servers:rebuild", target(inst))
    request = body["rebuild"]
    image = resolve_image(r, request["imageRef"], inst["flavor"])
    props = image.get("properties") or {}
    names = {"name": "name", "metadata": "metadata_items", "accessIPv4": "access_ip_v4",
             "accessIPv6": "access_ip_v6", "description": "description"}
    values = {column: request[key] for key, column in names.items() if key in request}
    values.update({"image_ref": image["id"], "kernel_id": props.get("kernel_id", ""),
                   "ramdisk_id": props.get("ramdisk_id", "")})
    if request.get("trusted_image_certificates"):
        # As at create (2.63): null is accepted, certificates are not.
        raise exception.Invalid("Trusted image certificates are not supported: Stratus does "
                                "not verify image signatures.")
    values.update(_rebuild_key_pair(r, request))
    if r.at_least(57) and "user_data" in request:
        values["user_data"] = _user_data(request["user_data"])
    if not inst["host"]:
        raise exception.InstanceInvalidState(action="rebuild", instance_uuid=inst["uuid"],
                                             attr="host", state="None")
    started = conductor.instance_action_start(
        r.ctx, instance_uuid=inst["uuid"], action="rebuild", task_state=states.REBUILDING,
        vm_states=[states.ACTIVE, states.STOPPED, states.ERROR],
        project_id=owner_filter(r), values=values)
    compute.rebuild_instance(r.ctx, _server=inst["host"], instance=started)
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
    if to_bool(request.get("onSharedStorage", False)):
        raise exception.Invalid("Shared storage is not supported: the server is rebuilt "
                                "from its image on the new host.")
    try:
        conductor.instance_evacuate(r.ctx, instance_uuid=inst["uuid"],
                                    host=request.get("host"))
    except exception.NoValidHost as e:
        raise exception.Invalid(f"Cannot evacuate: {e.message}") from None
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


def _node(r: Req, inst: dict[str, Any]) -> dict[str, Any] | None:
    return next((n for n in conductor.host_states(r.ctx)
                 if n["hypervisor_hostname"] == inst["node"]), None)


@router.get("/diagnostics")
def diagnostics(server_id: str, r: Req = Depends(req)) -> Any:
    inst = get_instance(r, server_id)
    r.authorize("os_compute_api:os-server-diagnostics", target(inst))
    if not inst["host"]:
        raise exception.Conflict(reason=f"Instance {server_id} has no host yet.")
    raw = compute.get_diagnostics(r.ctx, _server=inst["host"], instance=inst)
    if not r.at_least(48):
        return raw
    return server_diagnostics.standard(raw, inst, _node(r, inst))
