"""/os-server-groups: groups whose members are placed together or apart (the work is in
compute_api/service)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import service
from compute_api.common import MAX_LIMIT, Req, query_params, refuse_unknown_query, req
from compute_api.schemas import server_groups as schemas
from stratus import exception
from stratus.api import validation
from stratus.api.validation import MAX_INT, to_bool

router = APIRouter(prefix="/v2.1/os-server-groups")
P = "os_compute_api:os-server-groups:%s"


def view(r: Req, group: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": group["uuid"], "name": group["name"],
                            "members": group["members"]}
    if r.at_least(64):
        body["policy"] = group["policy"]
        body["rules"] = group["rules"]
    else:
        body["policies"] = [group["policy"]]
        body["metadata"] = {}
    if r.at_least(13):
        body["project_id"] = group["project_id"]
        body["user_id"] = group["user_id"]
    return body


def _scope(r: Req) -> str | None:
    """Admins reach every project's groups by id; others their project's."""
    return None if r.can(P % "index:all_projects") else r.ctx.project_id


def _paging(r: Req) -> tuple[int | None, int]:
    """limit (at most MAX_LIMIT, as Nova caps it) and offset (an offset past any row
    count is the empty page it asks for, so it is clamped where SQL can hold it)."""
    limit = _non_negative(r, "limit")
    offset = _non_negative(r, "offset")
    return (None if limit is None else min(limit, MAX_LIMIT)), min(offset or 0, MAX_INT)


def _non_negative(r: Req, key: str) -> int | None:
    raw = r.query.get(key)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise exception.ValidationError(reason=f"{key} must be an integer") from None
    if value < 0:
        raise exception.ValidationError(reason=f"{key} must not be negative")
    return value


@router.get("")
@query_params("all_projects", "limit", "offset")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, {"all_projects", "limit", "offset"})
    r.authorize(P % "index")
    everyone = to_bool(r.query.get("all_projects", False)) and r.can(P % "index:all_projects")
    limit, offset = _paging(r)
    groups = service.list_server_groups(
        r.ctx, None if everyone else r.ctx.project_id, limit, offset)
    return {"server_groups": [view(r, g) for g in groups]}


@router.post("")
@validation.schema(schemas.create_v21, "2.1", "2.14")
@validation.schema(schemas.create_v215, "2.15", "2.63")
@validation.schema(schemas.create_v264, "2.64")
def create(body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "create", {"project_id": r.ctx.project_id, "user_id": r.ctx.user_id})
    values = body["server_group"]
    if r.at_least(64):
        policy, rules = values["policy"], values.get("rules") or {}
    else:
        policy, rules = values["policies"][0], {}
    group = service.create_server_group(r.ctx, values["name"], policy, rules)
    return {"server_group": view(r, group)}


@router.get("/{group_id}")
def show(group_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "show")
    group = service.get_server_group(r.ctx, group_id, _scope(r))
    return {"server_group": view(r, group)}


@router.delete("/{group_id}", status_code=204)
def delete(group_id: str, r: Req = Depends(req)) -> Response:
    r.authorize(P % "delete")
    service.delete_server_group(r.ctx, group_id, _scope(r))
    return Response(status_code=204)
