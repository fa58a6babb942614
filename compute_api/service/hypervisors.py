"""Compute nodes with their real capacity, use, servers and host uptime, behind
/os-hypervisors."""
from __future__ import annotations

import re
from typing import Any

from compute_api.ids import parse_uuid
from compute_api.service.clients import compute, conductor
from stratus import exception
from stratus.context import RequestContext
from stratus.servicegroup import get_driver

TOTALS = ("vcpus", "vcpus_used", "memory_mb", "memory_mb_used", "local_gb", "local_gb_used",
          "running_vms")


def public_id(version: tuple[int, int], row: dict[str, Any]) -> Any:
    """The id the API names a node or service row by: its uuid from 2.53."""
    return row["uuid"] if version >= (2, 53) else row["id"]


def matching(nodes: list[dict[str, Any]], pattern: str) -> list[dict[str, Any]]:
    """The nodes whose hypervisor hostname holds `pattern` (a plain string)."""
    found = [n for n in nodes if re.search(re.escape(pattern), n["hypervisor_hostname"])]
    if not found:
        raise exception.NotFound(f"No hypervisor matching '{pattern}' could be found.")
    return found


def after_marker(version: tuple[int, int], nodes: list[dict[str, Any]],
                 marker: str | None) -> list[dict[str, Any]]:
    """The nodes after the one whose id is `marker` (all of them without a marker)."""
    if marker is None:
        return nodes
    ids = [str(public_id(version, n)) for n in nodes]
    if marker not in ids:
        raise exception.ValidationError(reason=f"marker [{marker}] not found")
    return nodes[ids.index(marker) + 1:]


def find(version: tuple[int, int], nodes: list[dict[str, Any]],
         hypervisor_id: str) -> dict[str, Any]:
    """The node `hypervisor_id` names (its uuid from 2.53)."""
    wanted = parse_uuid(hypervisor_id) if version >= (2, 53) else hypervisor_id
    for node in nodes:
        if str(public_id(version, node)) == wanted:
            return node
    raise exception.NotFound(f"Hypervisor with ID {hypervisor_id} could not be found.")


def _described(ctx: RequestContext, node: dict[str, Any],
               with_servers: bool) -> dict[str, Any]:
    """{"node": host state, "up": whether its compute service is alive, "servers": the
    instances on it (None unless asked for)}."""
    svc = node["service"] or {}
    servers = conductor.instance_list(ctx, filters={"node": node["hypervisor_hostname"]}) \
        if with_servers else None
    return {"node": node, "up": bool(svc) and get_driver().is_up(svc), "servers": servers}


def list_hypervisors(ctx: RequestContext, version: tuple[int, int], *,
                     pattern: str | None = None, limit: int | None = None,
                     marker: str | None = None,
                     with_servers: bool = False) -> list[dict[str, Any]]:
    """The nodes matching `pattern`, else (when `limit` is set) a page of them after
    `marker`, else all, described."""
    nodes = list(conductor.host_states(ctx))
    if pattern is not None:
        nodes = matching(nodes, pattern)
    elif limit is not None:
        nodes = after_marker(version, nodes, marker)[:limit]
    return [_described(ctx, n, with_servers) for n in nodes]


def get_hypervisor(ctx: RequestContext, version: tuple[int, int], hypervisor_id: str,
                   with_servers: bool = False) -> dict[str, Any]:
    """Node `hypervisor_id`, described."""
    return _described(ctx, find(version, list(conductor.host_states(ctx)), hypervisor_id),
                      with_servers)


def hypervisor_uptime(ctx: RequestContext, version: tuple[int, int],
                      hypervisor_id: str) -> dict[str, Any]:
    """Node `hypervisor_id`, described, with "uptime": its host's, as its compute agent
    tells it. A host whose compute service is down (or forced down) cannot be asked: 400,
    as Nova answers."""
    described = get_hypervisor(ctx, version, hypervisor_id)
    node = described["node"]
    if not described["up"] or node["service"].get("forced_down"):
        raise exception.ComputeServiceUnavailable(host=node["host"])
    return {**described, "uptime": compute.get_host_uptime(ctx, host=node["host"])}


def uptime_of(ctx: RequestContext, described: dict[str, Any]) -> str | None:
    """2.88: the node's host uptime for its detailed view; None when the compute service
    is down or its driver cannot tell, as Nova shows it."""
    node = described["node"]
    if not described["up"] or (node["service"] or {}).get("forced_down"):
        return None
    try:
        return str(compute.get_host_uptime(ctx, host=node["host"]))
    except exception.FeatureNotSupported:
        return None


def statistics(nodes: list[dict[str, Any]]) -> dict[str, int]:
    """The nodes' capacity and use, summed."""
    stats = {k: sum(n[k] for n in nodes) for k in TOTALS}
    stats.update(count=len(nodes),
                 free_ram_mb=stats["memory_mb"] - stats["memory_mb_used"],
                 free_disk_gb=stats["local_gb"] - stats["local_gb_used"],
                 disk_available_least=stats["local_gb"] - stats["local_gb_used"],
                 current_workload=sum(n["io_ops"] for n in nodes))
    return stats


def hypervisor_statistics(ctx: RequestContext) -> dict[str, int]:
    return statistics(list(conductor.host_states(ctx)))
