"""/servers: create, list, show, update, delete (the work is in compute_api/service)."""
from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import server_view, service
from compute_api.common import Req, limit_and_marker, links, page, query_params, req
from compute_api.schemas import servers as schemas
from compute_api.service.security_groups import requested_groups
from compute_api.service.servers import LIST_PARAMS
from stratus.api import validation
from stratus.api.validation import to_bool

router = APIRouter(prefix="/v2.1/servers")
P = service.SERVER_POLICY
target = service.target


# --- helpers other handler modules import --------------------------------------

def owner_filter(r: Req) -> str | None:
    """Project an instance must belong to for this caller; None for admins."""
    return service.owner_filter(r.ctx)


def get_instance(r: Req, server_id: str) -> dict[str, Any]:
    return service.get_server(r.ctx, server_id)


def resolve_image(r: Req, image_ref: str, flavor: dict[str, Any]) -> dict[str, Any]:
    return service.resolve_image(r.ctx, image_ref, flavor)


def parse_zone(r: Req, value: str | None) -> tuple[str | None, str | None, str | None]:
    return service.parse_zone(r.ctx, value)


# --- handlers ---------------------------------------------------------------------

@router.post("", status_code=202)
@validation.schema(schemas.create_v21, "2.1", "2.18")
@validation.schema(schemas.create_v219, "2.19", "2.31")
@validation.schema(schemas.create_v232, "2.32", "2.32")
@validation.schema(schemas.create_v233, "2.33", "2.36")
@validation.schema(schemas.create_v237, "2.37", "2.41")
@validation.schema(schemas.create_v242, "2.42", "2.51")
@validation.schema(schemas.create_v252, "2.52", "2.56")
@validation.schema(schemas.create_v257, "2.57", "2.62")
@validation.schema(schemas.create_v263, "2.63", "2.73")
@validation.schema(schemas.create_v274, "2.74", "2.89")
@validation.schema(schemas.create_v290, "2.90", "2.93")
@validation.schema(schemas.create_v294, "2.94")
def create(response: Response, body: Any = Body(None),
           r: Req = Depends(req)) -> dict[str, Any]:
    server = body["server"]
    r.authorize(P % "create", {"project_id": r.ctx.project_id, "user_id": r.ctx.user_id})
    hints = body.get("os:scheduler_hints") or body.get("OS-SCH-HNT:scheduler_hints") or {}
    created = service.create_servers(r.ctx, server, hints)
    if to_bool(server.get("return_reservation_id", False)):
        return {"reservation_id": created[0]["reservation_id"]}
    first = created[0]
    response.headers["Location"] = links("servers", first["uuid"])[0]["href"]
    return {"server": {"id": first["uuid"], "links": links("servers", first["uuid"]),
                       "OS-DCF:diskConfig": server.get("OS-DCF:diskConfig", "MANUAL"),
                       "security_groups": [{"name": n} for n in
                                           requested_groups(server)],
                       "adminPass": server.get("adminPass") or secrets.token_urlsafe(9)}}


def _list(r: Req, detailed: bool) -> dict[str, Any]:
    r.authorize(P % ("detail" if detailed else "index"))
    limit, marker = limit_and_marker(r)
    found = service.list_servers(r.ctx, r.version, r.query, limit, marker, detailed)
    instances = found["servers"]
    if detailed:
        items = [server_view.detail(r, i, found["host_statuses"]) for i in instances]
    else:
        items = [server_view.brief(i) for i in instances]
    return page(r, "servers", items, instances, limit, "uuid")


@router.get("")
@query_params(*LIST_PARAMS)
def index(r: Req = Depends(req)) -> dict[str, Any]:
    return _list(r, detailed=False)


@router.get("/detail")
@query_params(*LIST_PARAMS)
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    return _list(r, detailed=True)


@router.get("/{server_id}")
def show(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    inst = get_instance(r, server_id)
    r.authorize(P % "show", target(inst))
    shown = service.show_server(r.ctx, r.version, inst)
    return {"server": server_view.detail(r, shown["server"], shown["host_statuses"],
                                         shown["server_groups"])}


@router.put("/{server_id}")
@validation.schema(schemas.update_v21, "2.1", "2.18")
@validation.schema(schemas.update_v219, "2.19", "2.89")
@validation.schema(schemas.update_v290, "2.90", "2.93")
@validation.schema(schemas.update_v294, "2.94", "2.103")
@validation.schema(schemas.update_v2104, "2.104")
def update(server_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    inst = get_instance(r, server_id)
    r.authorize(P % "update", target(inst))
    updated = service.update_server(r.ctx, r.version, inst, body["server"])
    return {"server": server_view.updated(r, updated["server"], updated["host_statuses"],
                                          server_groups=updated["server_groups"])}


@router.delete("/{server_id}", status_code=204)
def delete(server_id: str, r: Req = Depends(req)) -> Response:
    inst = get_instance(r, server_id)
    r.authorize(P % "delete", target(inst))
    service.remove_server(r.ctx, inst)
    return Response(status_code=204)
