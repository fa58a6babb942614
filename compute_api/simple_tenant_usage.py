"""/os-simple-tenant-usage: what projects used over a time window (`openstack usage list`,
`usage show`; seed 5.4.6): hours, and vCPU, RAM and disk hours, per project, with each
server's usage when `detailed=1` (always for one project). The window is `start` to `end`
(each defaults to now; it ends now at the latest); every instance that ran in it counts,
deleted ones for the time they ran. 2.40 pages over the instances (`limit`, `marker` on an
instance uuid) with `tenant_usages_links` / `tenant_usage_links`. The work is in
compute_api/service.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api import service
from compute_api.common import (MAX_LIMIT, Req, limit_and_marker, next_link, query_params,
                                refuse_unknown_query, req)
from stratus import exception

router = APIRouter(prefix="/v2.1/os-simple-tenant-usage")
P = "os_compute_api:os-simple-tenant-usage:%s"


def _first(r: Req, name: str) -> str | None:
    """A query parameter's first value, as Nova reads these."""
    values = r.query.getlist(name)
    return values[0] if values else None


def _detailed(r: Req) -> bool:
    """`detailed=1` as Nova reads it; also `True`, which openstacksdk (so `openstack usage
    list`) sends and Nova takes for no (the CLI's Servers column stays empty there)."""
    return (_first(r, "detailed") or "").lower() in ("1", "true")


def _paging(r: Req) -> tuple[int, str | None]:
    """limit and marker from 2.40; before it every instance (up to the maximum) counts."""
    return limit_and_marker(r) if r.at_least(40) else (MAX_LIMIT, None)


def _links(r: Req, found: dict[str, Any], limit: int) -> list[dict[str, str]]:
    """A next link when the page of instances is full (2.40)."""
    if not r.at_least(40) or not limit or found["instances"] != limit:
        return []
    return [next_link(r, found["last_instance"])]


@router.get("")
@query_params("start", "end", "detailed", "limit", "marker")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, {"start", "end", "detailed", "limit", "marker"})
    r.authorize(P % "list")
    start, stop = service.usage_window(_first(r, "start"), _first(r, "end"))
    limit, marker = _paging(r)
    found = service.tenant_usages(r.ctx, start, stop, detailed=_detailed(r), limit=limit,
                                  marker=marker)
    body: dict[str, Any] = {"tenant_usages": found["tenant_usages"]}
    links = _links(r, found, limit)
    if links:
        body["tenant_usages_links"] = links
    return body


@router.get("/")
def show_no_tenant() -> None:
    """An empty tenant id names nothing (404 as in Nova, not a redirect to the list)."""
    raise exception.NotFound("The resource could not be found.")


@router.get("/{tenant_id}")
@query_params("start", "end", "limit", "marker")
def show(tenant_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, {"start", "end", "limit", "marker"})
    r.authorize(P % "show", {"project_id": tenant_id})
    start, stop = service.usage_window(_first(r, "start"), _first(r, "end"))
    limit, marker = _paging(r)
    found = service.tenant_usages(r.ctx, start, stop, project_id=tenant_id, detailed=True,
                                  limit=limit, marker=marker)
    usages = found["tenant_usages"]
    body: dict[str, Any] = {"tenant_usage": usages[0] if usages else {}}
    links = _links(r, found, limit)
    if links:
        body["tenant_usage_links"] = links
    return body
