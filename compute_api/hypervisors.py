"""/os-hypervisors: compute nodes with their real capacity and use (ids before 2.53)."""
from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends

from compute_api.common import Req, conductor, req
from stratus import exception
from stratus.servicegroup import get_driver

router = APIRouter(prefix="/v2.1/os-hypervisors")
H = "os_compute_api:os-hypervisors:%s"
TOTALS = ("vcpus", "vcpus_used", "memory_mb", "memory_mb_used", "local_gb", "local_gb_used",
          "running_vms")


def _brief(node: dict[str, Any]) -> dict[str, Any]:
    service = node["service"] or {}
    up = bool(service) and get_driver().is_up(service)
    return {"id": node["id"], "hypervisor_hostname": node["hypervisor_hostname"],
            "state": "up" if up else "down",
            "status": "disabled" if service.get("disabled") else "enabled"}


def _detail(r: Req, node: dict[str, Any]) -> dict[str, Any]:
    service = node["service"] or {}
    free_disk = node["local_gb"] - node["local_gb_used"]
    return {**_brief(node), **{k: node[k] for k in TOTALS},
            "free_ram_mb": node["memory_mb"] - node["memory_mb_used"],
            "free_disk_gb": free_disk, "disk_available_least": free_disk,
            "current_workload": node["io_ops"], "host_ip": node["host_ip"],
            "hypervisor_type": node["hypervisor_type"],
            "hypervisor_version": node["hypervisor_version"],
            "cpu_info": {} if r.at_least(28) else "{}",
            "service": {"host": node["host"], "id": service.get("id"),
                        "disabled_reason": service.get("disabled_reason")}}


def _nodes(r: Req, action: str) -> list[dict[str, Any]]:
    r.authorize(H % action)
    return list(conductor.host_states(r.ctx))


def _matching(nodes: list[dict[str, Any]], pattern: str) -> list[dict[str, Any]]:
    found = [n for n in nodes if re.search(re.escape(pattern), n["hypervisor_hostname"])]
    if not found:
        raise exception.NotFound(f"No hypervisor matching '{pattern}' could be found.")
    return found


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    return {"hypervisors": [_brief(n) for n in _nodes(r, "list")]}


@router.get("/detail")
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    return {"hypervisors": [_detail(r, n) for n in _nodes(r, "detail")]}


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


@router.get("/{hypervisor_id}")
def show(hypervisor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    for node in _nodes(r, "show"):
        if str(node["id"]) == hypervisor_id:
            return {"hypervisor": _detail(r, node)}
    raise exception.NotFound(f"Hypervisor with ID {hypervisor_id} could not be found.")


@router.get("/{pattern}/search")
def search(pattern: str, r: Req = Depends(req)) -> dict[str, Any]:
    return {"hypervisors": [_brief(n) for n in _matching(_nodes(r, "search"), pattern)]}


@router.get("/{pattern}/servers")
def servers(pattern: str, r: Req = Depends(req)) -> dict[str, Any]:
    out = []
    for node in _matching(_nodes(r, "servers"), pattern):
        instances = conductor.instance_list(r.ctx, filters={"node": node["hypervisor_hostname"]})
        out.append({**_brief(node), "servers": [
            {"name": "instance-%08x" % i["id"], "uuid": i["uuid"]} for i in instances]})
    return {"hypervisors": out}


