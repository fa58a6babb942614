"""/os-migrations: the moves of servers between hosts (admins; managers see their own
project's), and /servers/{id}/migrations, the live migrations in progress of a server (show, and
abort with DELETE from 2.24).

2.23 adds migration_type, 2.59 pages the list (limit, marker, changes-since; unknown
parameters refused) and adds uuid, 2.66 adds changes-before, 2.80 filters by user_id and
project_id and shows them. The work is in compute_api/service.
"""
from __future__ import annotations

from typing import Any, NoReturn

from fastapi import APIRouter, Depends

from compute_api import service
from compute_api.common import (Req, changes_window, limit_and_marker, page, query_params,
                                refuse_unknown_query, req)
from compute_api.servers import get_instance, target
from stratus import exception
from stratus.api.validation import to_bool

router = APIRouter(prefix="/v2.1")
P = "os_compute_api:os-migrations:%s"
SM = "os_compute_api:servers:migrations:%s"
FILTERS = ("hidden", "host", "instance_uuid", "source_compute", "status", "migration_type")
HOST_FIELDS = ("dest_compute", "dest_host", "dest_node", "source_compute", "source_node")


def _time(value: str | None) -> str | None:
    """Times as Nova's migration views print them: 2013-10-29T13:42:02.000000."""
    return value + ".000000" if value else None


def _view(r: Req, m: dict[str, Any], with_hosts: bool) -> dict[str, Any]:
    out = {"id": m["id"], "instance_uuid": m["instance_uuid"], "status": m["status"],
           "created_at": _time(m["created_at"]), "updated_at": _time(m["updated_at"]),
           "old_instance_type_id": m["old_instance_type_id"],
           "new_instance_type_id": m["new_instance_type_id"],
           **{k: m[k] if with_hosts else None for k in HOST_FIELDS}}
    if r.at_least(23):
        out["migration_type"] = m["migration_type"]
    if r.at_least(59):
        out["uuid"] = m["uuid"]
    if r.at_least(80):
        out["user_id"], out["project_id"] = m["user_id"], m["project_id"]
    return out


def _allowed_params(r: Req) -> set[str] | None:
    """The query parameters of this version; None before 2.59 (any, unknown ignored)."""
    if not r.at_least(59):
        return None
    allowed = {*FILTERS, "limit", "marker", "changes-since"}
    if r.at_least(66):
        allowed.add("changes-before")
    if r.at_least(80):
        allowed.update({"user_id", "project_id"})
    return allowed


def _filters(r: Req, allowed: set[str] | None) -> dict[str, Any]:
    if allowed is not None:
        refuse_unknown_query(r, allowed, since=59)
    filters: dict[str, Any] = {k: r.query[k] for k in FILTERS if k in r.query}
    if "hidden" in filters:
        filters["hidden"] = to_bool(filters["hidden"])
    if r.at_least(80):
        filters.update({k: r.query[k] for k in ("user_id", "project_id") if k in r.query})
    if allowed is not None:
        since, before = changes_window(r)
        filters["changes-since"] = since
        if "changes-before" in allowed:
            filters["changes-before"] = before
    return filters


@router.get("/os-migrations")
@query_params(*FILTERS, "limit", "marker", "changes-since", "changes-before", "user_id",
              "project_id")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    allowed = _allowed_params(r)
    filters = _filters(r, allowed)
    project_id = r.query.get("project_id") if r.at_least(80) else None
    r.authorize(P % "index", {"project_id": project_id or r.ctx.project_id})
    if project_id is None or project_id != r.ctx.project_id:
        r.authorize(P % "index:all_projects")
    limit, marker = limit_and_marker(r) if allowed is not None else (None, None)
    rows = [m for m in service.list_migrations(r.ctx, filters, limit, marker)
            if not m["hidden"]]
    with_hosts = r.can(P % "index:host")
    items = [_view(r, m, with_hosts) for m in rows]
    if allowed is None:
        return {"migrations": items}
    return page(r, "migrations", items, rows, limit, "uuid")


def _server_migrations_req(r: Req = Depends(req)) -> Req:
    if not r.at_least(23):
        raise exception.NotFound("The resource could not be found.")
    return r


@router.get("/servers/{server_id}/migrations")
def server_index(server_id: str, r: Req = Depends(_server_migrations_req)) -> dict[str, Any]:
    """The server's live migrations in progress: none, as no live migration exists yet
    (cold moves are listed by /os-migrations)."""
    inst = get_instance(r, server_id)
    r.authorize(SM % "index", target(inst))
    return {"migrations": []}


def _no_live_migration(r: Req, server_id: str, migration_id: str, rule: str) -> NoReturn:
    inst = get_instance(r, server_id)
    r.authorize(SM % rule, target(inst))
    raise exception.NotFound(f"Instance {inst['uuid']} is not being live-migrated "
                             f"(migration {migration_id}).")


@router.delete("/servers/{server_id}/migrations/{migration_id}")
def server_abort(server_id: str, migration_id: str,
                 r: Req = Depends(_server_migrations_req)) -> None:
    """Abort a live migration (2.24; 2.65 also queued and preparing ones): none exists."""
    _no_live_migration(r, server_id, migration_id, "delete")


@router.get("/servers/{server_id}/migrations/{migration_id}")
def server_show(server_id: str, migration_id: str,
                r: Req = Depends(_server_migrations_req)) -> None:
    _no_live_migration(r, server_id, migration_id, "show")
