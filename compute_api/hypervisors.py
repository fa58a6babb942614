"""/os-hypervisors: compute nodes with their real capacity and use (the work is in
compute_api/service).

2.33 pages the lists (limit, marker). 2.53 names nodes and their services by uuid,
and replaces the search and servers routes by the `hypervisor_hostname_pattern`
and `with_servers` query parameters. 2.88 drops the capacity and use figures from the
detailed views (placement-style figures were often misleading in Nova), puts `uptime`
in them instead and removes the statistics and uptime routes (404).
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api import service
from compute_api.common import (Req, limit_and_marker, next_link, query_params,
                                refuse_unknown_query, req)
from stratus import exception

router = APIRouter(prefix="/v2.1/os-hypervisors")
H = "os_compute_api:os-hypervisors:%s"
TOTALS = service.HYPERVISOR_TOTALS
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
LIST_PARAMS_V253 = {"limit", "marker", "hypervisor_hostname_pattern", "with_servers"}


def _id(r: Req, row: dict[str, Any]) -> Any:
    return service.public_id(r.version, row)


def _brief(r: Req, described: dict[str, Any]) -> dict[str, Any]:
    node = described["node"]
    svc = node["service"] or {}
    return {"id": _id(r, node), "hypervisor_hostname": node["hypervisor_hostname"],
            "state": "up" if described["up"] else "down",
            "status": "disabled" if svc.get("disabled") else "enabled"}


def _detail(r: Req, described: dict[str, Any]) -> dict[str, Any]:
    node = described["node"]
    svc = node["service"] or {}
    body = {**_brief(r, described), "host_ip": node["host_ip"],
            "hypervisor_type": node["hypervisor_type"],
            "hypervisor_version": node["hypervisor_version"],
            "service": {"host": node["host"],
                        "id": _id(r, svc) if svc else None,
                        "disabled_reason": svc.get("disabled_reason")}}
    if r.at_least(88):
        body["uptime"] = service.uptime_of(r.ctx, described)
        return body
    free_disk = node["local_gb"] - node["local_gb_used"]
    body.update({k: node[k] for k in TOTALS})
    body.update(free_ram_mb=node["memory_mb"] - node["memory_mb_used"],
                free_disk_gb=free_disk, disk_available_least=free_disk,
                current_workload=node["io_ops"],
                cpu_info={} if r.at_least(28) else "{}")
    return body


def _with_servers(r: Req, described: dict[str, Any], body: dict[str, Any],
                  requested: bool) -> dict[str, Any]:
    """`body` with the node's servers; when there are none Nova leaves the key out, until
    2.75 gives an empty list to a request `with_servers`."""
    if described["servers"]:
        body["servers"] = [{"name": "instance-%08x" % i["id"], "uuid": i["uuid"]}
                           for i in described["servers"]]
    elif requested and r.at_least(75):
        body["servers"] = []
    return body


def _flag(r: Req, name: str) -> bool:
    raw = r.query.get(name)
    if raw is None:
        return False
    if raw.lower() not in TRUE + FALSE:
        raise exception.ValidationError(
            reason=f"Invalid input for query parameters {name}. Value: {raw}. "
                   f"'{raw}' is not a valid boolean.")
    return raw.lower() in TRUE


def _list(r: Req, action: str, detailed: bool) -> dict[str, Any]:
    refuse_unknown_query(r, LIST_PARAMS_V253, since=53)
    r.authorize(H % action)
    pattern = r.query.get("hypervisor_hostname_pattern") if r.at_least(53) else None
    with_servers = r.at_least(53) and _flag(r, "with_servers")
    paged = r.at_least(33) and pattern is None
    limit, marker = None, None
    if pattern is not None:
        if "limit" in r.query or "marker" in r.query:
            raise exception.ValidationError(
                reason="Paging over hypervisors with the hypervisor_hostname_pattern "
                       "query parameter is not supported.")
    elif paged:
        limit, marker = limit_and_marker(r)
    nodes = service.list_hypervisors(r.ctx, r.version, pattern=pattern, limit=limit,
                                     marker=marker, with_servers=with_servers)
    view = _detail if detailed else _brief
    items = [_with_servers(r, n, view(r, n), with_servers) for n in nodes]
    body: dict[str, Any] = {"hypervisors": items}
    if paged and nodes and len(nodes) == limit:
        body["hypervisors_links"] = [next_link(r, str(items[-1]["id"]))]
    return body


@router.get("")
@query_params(*LIST_PARAMS_V253)
def index(r: Req = Depends(req)) -> dict[str, Any]:
    return _list(r, "list", detailed=False)


@router.get("/detail")
@query_params(*LIST_PARAMS_V253)
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    return _list(r, "detail", detailed=True)


@router.get("/statistics")
def statistics(r: Req = Depends(req)) -> dict[str, Any]:
    if r.at_least(88):
        raise exception.NotFound("The resource could not be found.")
    r.authorize(H % "statistics")
    return {"hypervisor_statistics": service.hypervisor_statistics(r.ctx)}


def _show_params(r: Req) -> bool:
    """with_servers, the one query parameter show takes from 2.53."""
    if not r.at_least(53):
        return False
    refuse_unknown_query(r, {"with_servers"}, since=53)
    return _flag(r, "with_servers")


@router.get("/{hypervisor_id}")
@query_params("with_servers")
def show(hypervisor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    with_servers = _show_params(r)
    r.authorize(H % "show")
    node = service.get_hypervisor(r.ctx, r.version, hypervisor_id, with_servers)
    return {"hypervisor": _with_servers(r, node, _detail(r, node), with_servers)}


@router.get("/{hypervisor_id}/uptime")
def uptime(hypervisor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    """The brief view with the host's uptime as `uptime` prints it (asked of the host's
    compute agent; 400 when its service is down, 501 when its driver cannot tell). Gone
    from 2.88, where `uptime` is in the detailed views."""
    if r.at_least(88):
        raise exception.NotFound("The resource could not be found.")
    r.authorize(H % "uptime")
    node = service.hypervisor_uptime(r.ctx, r.version, hypervisor_id)
    return {"hypervisor": {**_brief(r, node), "uptime": node["uptime"]}}


def _before_53(r: Req) -> None:
    """The search and servers routes are gone from 2.53 (Nova answers 404)."""
    if r.at_least(53):
        raise exception.NotFound("The resource could not be found.")


@router.get("/{pattern}/search")
def search(pattern: str, r: Req = Depends(req)) -> dict[str, Any]:
    _before_53(r)
    r.authorize(H % "search")
    return {"hypervisors": [_brief(r, n)
                            for n in service.list_hypervisors(r.ctx, r.version,
                                                              pattern=pattern)]}


@router.get("/{pattern}/servers")
def servers(pattern: str, r: Req = Depends(req)) -> dict[str, Any]:
    _before_53(r)
    r.authorize(H % "servers")
    nodes = service.list_hypervisors(r.ctx, r.version, pattern=pattern, with_servers=True)
    return {"hypervisors": [_with_servers(r, n, _brief(r, n), True) for n in nodes]}
