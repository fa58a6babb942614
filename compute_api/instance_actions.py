"""/servers/{id}/os-instance-actions: what was done to a server, and how it went."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api.common import Req, conductor, iso, req
from compute_api.servers import owner_filter

router = APIRouter(prefix="/v2.1/servers/{server_id}/os-instance-actions")
P = "os_compute_api:os-instance-actions:%s"


def _action(a: dict[str, Any]) -> dict[str, Any]:
    return {"action": a["action"], "instance_uuid": a["instance_uuid"],
            "request_id": a["request_id"], "user_id": a["user_id"],
            "project_id": a["project_id"], "start_time": iso(a["start_time"]),
            "message": a["message"]}


def _event(r: Req, e: dict[str, Any]) -> dict[str, Any]:
    out = {"event": e["event"], "start_time": iso(e["start_time"]),
           "finish_time": iso(e["finish_time"]), "result": e["result"]}
    if r.can(P % "events:details"):
        out.update({"traceback": e["traceback"], "host": e["host"]})
    return out


@router.get("")
def index(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    actions = conductor.instance_action_list(r.ctx, instance_uuid=server_id,
                                             project_id=owner_filter(r))
    if actions:
        r.authorize(P % "list", {"project_id": actions[0]["project_id"]})
    return {"instanceActions": [_action(a) for a in actions]}


@router.get("/{request_id}")
def show(server_id: str, request_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    action = conductor.instance_action_get(r.ctx, instance_uuid=server_id,
                                           request_id=request_id, project_id=owner_filter(r))
    r.authorize(P % "show", {"project_id": action["project_id"]})
    body = _action(action)
    if r.at_least(51) or r.can(P % "events"):
        body["events"] = [_event(r, e) for e in action["events"]]
    return {"instanceAction": body}
