"""/os-hypervisors: compute nodes with their real capacity and use.

2.33 pages the lists (limit, marker). 2.53 names nodes and their services by uuid,
and replaces the search and servers routes by the `hypervisor_hostname_pattern`
and `with_servers` query parameters.
"""
from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, HTTPException

from compute_api.common import Req, conductor, limit_and_marker, next_link, req
from compute_api.ids import parse_uuid
from stratus import exception
from stratus.servicegroup import get_driver

router = APIRouter(prefix="/v2.1/os-hypervisors")
H = "os_compute_api:os-hypervisors:%s"
TOTALS = ("vcpus", "vcpus_used", "memory_mb", "memory_mb_used", "local_gb", "local_gb_used",
          "running_vms")
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
LIST_PARAMS_V253 = {"limit", "marker", "hypervisor_hostname_pattern", "with_servers"}


def _id(r: Req, row: dict[str, Any]) -> Any:
    return row["uuid"] if r.at_least(53) else row["id"]


def _brief(r: Req, node: dict[str, Any]) -> dict[str, Any]:
    service = node["service"] or {}
    up = bool(service) and get_driver().is_up(service)
    return {"id": _id(r, node), "hypervisor_hostname": node["hypervisor_hostname"],
            "state": "up" if up else "down",
            "status": "disabled" if service.get("disabled") else "enabled"}


def _detail(r: Req, node: dict[str, Any]) -> dict[str, Any]:
    service = node["service"] or {}
    free_disk = node["local_gb"] - node["local_gb_used"]
    return {**_brief(r, node), **{k: node[k] for k in TOTALS},
            "free_ram_mb": node["memory_mb"] - node["memory_mb_used"],
            "free_disk_gb": free_disk, "disk_available_least": free_disk,
            "current_workload": node["io_ops"], "host_ip": node["host_ip"],
            "hypervisor_type": node["hypervisor_type"],
            "hypervisor_version": node["hypervisor_version"],
            "cpu_info": {} if r.at_least(28) else "{}",
            "service": {"host": node["host"],
                        "id": _id(r, service) if service else None,
                        "disabled_reason": service.get("disabled_reason")}}


def _with_servers(r: Req, node: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """`body` with the node's servers; Nova leaves the key out when there are none."""
    instances = conductor.instance_list(r.ctx, filters={"node": node["hypervisor_hostname"]})
    if instances:
        body["servers"] = [{"name": "instance-%08x" % i["id"], "uuid": i["uuid"]}
                           for i in instances]
    return body


def _nodes(r: Req, action: str) -> list[dict[str, Any]]:
    r.authorize(H % action)
    return list(conductor.host_states(r.ctx))


def _matching(nodes: list[dict[str, Any]], pattern: str) -> list[dict[str, Any]]:
    found = [n for n in nodes if re.search(re.escape(pattern), n["hypervisor_hostname"])]
    if not found:
        raise exception.NotFound(f"No hypervisor matching '{pattern}' could be found.")
    return found


def _flag(r: Req, name: str) -> bool:
    raw = r.query.get(name)
    if raw is None:
        return False
    if raw.lower() not in TRUE + FALSE:
        raise exception.ValidationError(
            reason=f"Invalid input for query parameters {name}. Value: {raw}. "
                   f"'{raw}' is not a valid boolean.")
    return raw.lower() in TRUE


def _after_marker(r: Req, nodes: list[dict[str, Any]],
                  marker: str | None) -> list[dict[str, Any]]:
    if marker is None:
        return nodes
    ids = [str(_id(r, n)) for n in nodes]
    if marker not in ids:
        raise exception.ValidationError(reason=f"marker [{marker}] not found")
    return nodes[ids.index(marker) + 1:]


def _check_params(r: Req) -> None:
    if not r.at_least(53):
        return
    unknown = sorted(set(r.query.keys()) - LIST_PARAMS_V253)
    if unknown:
        raise exception.ValidationError(
            reason=f"Invalid input for query parameters: additional properties are not "
                   f"allowed ({', '.join(unknown)} unexpected)")


def _list(r: Req, action: str, detailed: bool) -> dict[str, Any]:
    _check_params(r)
    nodes = _nodes(r, action)
    pattern = r.query.get("hypervisor_hostname_pattern") if r.at_least(53) else None
    with_servers = r.at_least(53) and _flag(r, "with_servers")
    paged = r.at_least(33) and pattern is None
    limit = None
    if pattern is not None:
        if "limit" in r.query or "marker" in r.query:
            raise exception.ValidationError(
                reason="Paging over hypervisors with the hypervisor_hostname_pattern "
                       "query parameter is not supported.")
        nodes = _matching(nodes, pattern)
    elif paged:
        limit, marker = limit_and_marker(r)
        nodes = _after_marker(r, nodes, marker)[:limit]
    view = _detail if detailed else _brief
    items = [view(r, n) for n in nodes]
    if with_servers:
        items = [_with_servers(r, n, item) for n, item in zip(nodes, items)]
    body: dict[str, Any] = {"hypervisors": items}
    if paged and nodes and len(nodes) == limit:
        body["hypervisors_links"] = [next_link(r, str(items[-1]["id"]))]
    return body


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    return _list(r, "list", detailed=False)


@router.get("/detail")
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    return _list(r, "detail", detailed=True)


@router.get("/statistics")
def statistics(r: Req = Depends(req)) -> dict[str, Any]:
    nodes = _nodes(r, "statistics")
    stats = {k: sum(n[k] for n in nodes) for k in TOTALS}
    stats.update(count=len(nodes),
                 free_ram_mb=stats["memory_mb"] - stats["memory_mb_used"],
                 free_disk_gb=stats["local_gb"] - stats["local_gb_used"],
                 disk_available_least=stats["local_gb"] - stats["local_gb_used"],
                 current_workload=sum(n["io_ops"] for n in nodes))
    return {"hypervisor_statistics": stats}


def _show_params(r: Req) -> bool:
    """with_servers, the one query parameter show takes from 2.53."""
    if not r.at_least(53):
        return False
    unknown = sorted(set(r.query.keys()) - {"with_servers"})
    if unknown:
        raise exception.ValidationError(
            reason=f"Invalid input for query parameters: additional properties are not "
                   f"allowed ({', '.join(unknown)} unexpected)")
    return _flag(r, "with_servers")


def _find(r: Req, nodes: list[dict[str, Any]], hypervisor_id: str) -> dict[str, Any]:
    wanted = parse_uuid(hypervisor_id) if r.at_least(53) else hypervisor_id
    for node in nodes:
        if str(_id(r, node)) == wanted:
            return node
    raise exception.NotFound(f"Hypervisor with ID {hypervisor_id} could not be found.")


@router.get("/{hypervisor_id}")
def show(hypervisor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    with_servers = _show_params(r)
    node = _find(r, _nodes(r, "show"), hypervisor_id)
    body = _detail(r, node)
    return {"hypervisor": _with_servers(r, node, body) if with_servers else body}


@router.get("/{hypervisor_id}/uptime")
def uptime(hypervisor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    """No driver reports its host's uptime: 501, as Nova answers for such drivers
    (`openstack hypervisor show` expects exactly that)."""
    _find(r, _nodes(r, "show"), hypervisor_id)
    raise HTTPException(status_code=501, detail="Feature not supported")


def _before_53(r: Req) -> None:
    """The search and servers routes are gone from 2.53 (Nova answers 404)."""
    if r.at_least(53):
        raise exception.NotFound("The resource could not be found.")


@router.get("/{pattern}/search")
def search(pattern: str, r: Req = Depends(req)) -> dict[str, Any]:
    _before_53(r)
    return {"hypervisors": [_brief(r, n) for n in _matching(_nodes(r, "search"), pattern)]}


@router.get("/{pattern}/servers")
def servers(pattern: str, r: Req = Depends(req)) -> dict[str, Any]:
    _before_53(r)
    return {"hypervisors": [_with_servers(r, n, _brief(r, n))
                            for n in _matching(_nodes(r, "servers"), pattern)]}
