"""/servers/{id}/os-instance-actions: what was done to a server, and how it went.

2.51 shows events to the server's owner, 2.58 pages the list (limit, marker,
changes-since) and adds updated_at, 2.62 adds the events' host and hostId, 2.66
changes-before. The work is
in compute_api/service.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api import service
from compute_api.common import (Req, changes_window, iso, limit_and_marker, next_link,
                                query_params, refuse_unknown_query, req)
from compute_api.server_view import host_id

router = APIRouter(prefix="/v2.1/servers/{server_id}/os-instance-actions")
P = "os_compute_api:os-instance-actions:%s"
LIST_PARAMS_V258 = {"limit", "marker", "changes-since"}


def _action(r: Req, a: dict[str, Any]) -> dict[str, Any]:
    out = {"action": a["action"], "instance_uuid": a["instance_uuid"],
           "request_id": a["request_id"], "user_id": a["user_id"],
           "project_id": a["project_id"], "start_time": iso(a["start_time"]),
           "message": a["message"]}
    if r.at_least(58):
        out["updated_at"] = iso(a["updated_at"])
    return out


def _event(r: Req, e: dict[str, Any], project_id: str) -> dict[str, Any]:
    out = {"event": e["event"], "start_time": iso(e["start_time"]),
           "finish_time": iso(e["finish_time"]), "result": e["result"]}
    everything = r.can(P % "events", {"project_id": project_id})
    if everything:
        out["traceback"] = e["traceback"]
    if r.at_least(62):
        out["hostId"] = host_id(project_id, e["host"])
        if everything:
            out["host"] = e["host"]
    if r.at_least(84) and r.can(P % "events:details", {"project_id": project_id}):
        out["details"] = e["details"]
    return out


def _paging(r: Req) -> dict[str, Any]:
    """The 2.58 list arguments (2.66 adds changes-before); unknown query parameters are
    refused from 2.58."""
    if not r.at_least(58):
        return {}
    allowed = LIST_PARAMS_V258 | ({"changes-before"} if r.at_least(66) else set())
    refuse_unknown_query(r, allowed, since=58)
    limit, marker = limit_and_marker(r)
    since, before = changes_window(r)
    paging = {"limit": limit, "marker": marker, "changes_since": since}
    if before is not None:
        paging["changes_before"] = before
    return paging


@router.get("")
@query_params(*LIST_PARAMS_V258, "changes-before")
def index(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    paging = _paging(r)
    actions = service.list_instance_actions(r.ctx, server_id, **paging)
    if actions:
        r.authorize(P % "list", {"project_id": actions[0]["project_id"]})
    body: dict[str, Any] = {"instanceActions": [_action(r, a) for a in actions]}
    if paging and actions and len(actions) == paging["limit"]:
        body["links"] = [next_link(r, actions[-1]["request_id"])]
    return body


@router.get("/{request_id}")
def show(server_id: str, request_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    action = service.get_instance_action(r.ctx, server_id, request_id)
    r.authorize(P % "show", {"project_id": action["project_id"]})
    body = _action(r, action)
    if r.at_least(51) or r.can(P % "events"):
        owner = service.action_owner(r.ctx, r.version, server_id, action)
        body["events"] = [_event(r, e, owner) for e in action["events"]]
    return {"instanceAction": body}
