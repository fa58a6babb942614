"""/servers/{id}/shares (2.97): Manila file shares attached to a server. No shared file
system service runs with this cloud, so no share exists to attach: a server lists none,
attaching one is 404 (once the server is stopped, as Nova requires first), and a share
is attached to no server. The routes, checks and errors are Nova's, ready for a share
service behind them."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api.common import Req, refuse_unknown_query, req
from compute_api.schemas import shares as schemas
from compute_api.servers import get_instance, target
from stratus import exception
from stratus.api import validation
from stratus.objects import states

router = APIRouter(prefix="/v2.1/servers/{server_id}/shares")
P = "os_compute_api:os-server-shares:%s"

def _server(r: Req, server_id: str, rule: str) -> dict[str, Any]:
    if not r.at_least(97):
        raise exception.NotFound("The resource could not be found.")
    refuse_unknown_query(r, set(), since=97)
    inst = get_instance(r, server_id)
    r.authorize(P % rule, target(inst))
    return inst


def _require_state(inst: dict[str, Any], action: str, allowed: tuple[str, ...]) -> None:
    if inst["vm_state"] not in allowed:
        raise exception.InstanceInvalidState(action=action, instance_uuid=inst["uuid"],
                                             attr="vm_state", state=inst["vm_state"])


def _not_attached(inst: dict[str, Any], share_id: str) -> exception.NotFound:
    return exception.NotFound(f"Share {share_id} is not attached to server {inst['uuid']}.")


@router.get("")
def index(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    _server(r, server_id, "index")
    return {"shares": []}


@router.post("", status_code=201)
@validation.schema(schemas.create)
def create(server_id: str, body: Any = Body(None), r: Req = Depends(req)) -> Any:
    inst = _server(r, server_id, "create")
    _require_state(inst, "create share", (states.STOPPED,))
    share_id = body["share"]["share_id"]
    raise exception.NotFound(f"Share {share_id} could not be found: no shared file "
                             f"system service (Manila) is available to this cloud.")


@router.get("/{share_id}")
def show(server_id: str, share_id: str, r: Req = Depends(req)) -> Any:
    inst = _server(r, server_id, "show")
    raise _not_attached(inst, share_id)


@router.delete("/{share_id}")
def delete(server_id: str, share_id: str, r: Req = Depends(req)) -> Response:
    inst = _server(r, server_id, "delete")
    _require_state(inst, "delete share", (states.STOPPED, states.ERROR))
    raise _not_attached(inst, share_id)
