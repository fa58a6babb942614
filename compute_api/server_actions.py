"""POST /servers/{id}/action: one handler per action name."""
from __future__ import annotations

from typing import Any, Callable

from fastapi import APIRouter, Body, Depends

from compute_agent.rpcapi import ComputeAPI
from compute_api.common import Req, req
from compute_api.schemas import actions as schemas
from compute_api.servers import get_instance, target
from stratus import exception
from stratus.api.validation import validate
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


ACTIONS: dict[str, Callable[[Req, dict[str, Any], dict[str, Any]], dict[str, Any]]] = {
    "os-getConsoleOutput": console_output,
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
