"""Hosts: the host status of servers (2.16), the liveness of their compute services, and
the deprecated /os-hosts API (2.1 to 2.42): hosts of the services, a compute host's resource
use, enabling and disabling it."""
from __future__ import annotations

from typing import Any, NoReturn

from compute_api.service.clients import conductor
from compute_api.service.services import disable_service, enable_service
from stratus import exception, policy
from stratus.availability_zones import COMPUTE_BINARY, host_zones, zone_of
from stratus.context import RequestContext
from stratus.servicegroup import get_driver

HOST_STATUS_POLICY = "os_compute_api:servers:show:host_status"
POWER_VERBS = {"startup": "start up", "shutdown": "shut down", "reboot": "reboot"}


def liveness(service: dict[str, Any], is_up: bool) -> str:
    """UP, DOWN or MAINTENANCE for one compute service row."""
    if service["forced_down"] or not is_up:
        return "DOWN"
    if service["disabled"]:
        return "MAINTENANCE"
    return "UP"


def host_statuses(ctx: RequestContext, version: tuple[int, int]) -> dict[str, str] | None:
    """Host -> status of every compute host; None when the caller may not see them."""
    if version < (2, 16) or not policy.check(ctx, HOST_STATUS_POLICY):
        return None
    group = get_driver()
    return {svc["host"]: liveness(svc, not svc["forced_down"] and group.is_up(svc))
            for svc in conductor.service_list(ctx, binary=COMPUTE_BINARY)}


def node_of(ctx: RequestContext, inst: dict[str, Any]) -> dict[str, Any] | None:
    """The compute node (host state) the instance runs on."""
    return next((n for n in conductor.host_states(ctx)
                 if n["hypervisor_hostname"] == inst["node"]), None)


# --- /os-hosts ---------------------------------------------------------------------------

def service_topic(binary: str) -> str:
    """The topic Nova shows for a service, which it names after the binary (nova-compute:
    compute): stratus-compute -> compute, stratus-scheduler -> scheduler."""
    return binary.rpartition("stratus-")[2]


def list_hosts(ctx: RequestContext, zone: str | None = None) -> list[dict[str, str]]:
    """{"host_name", "service", "zone"} for each enabled service, as Nova lists them (the
    REST APIs keep no service rows); only those in `zone` when one is given (an empty zone
    is none)."""
    zones = host_zones(conductor.aggregate_list(ctx))
    hosts = [{"host_name": svc["host"], "service": service_topic(svc["binary"]),
              "zone": zone_of(svc, zones)}
             for svc in conductor.service_list(ctx) if not svc["disabled"]]
    return [h for h in hosts if not zone or h["zone"] == zone]


def _usage(host: str, project: str, cpu: int = 0, memory_mb: int = 0,
           disk_gb: int = 0) -> dict[str, Any]:
    return {"host": host, "project": project, "cpu": cpu, "memory_mb": memory_mb,
            "disk_gb": disk_gb}


def host_resources(ctx: RequestContext, host: str) -> list[dict[str, Any]]:
    """The resource rows of compute host `host`, as Nova's GET /os-hosts/{host}: its first
    node's capacity "(total)" and use "(used_now)", what its instances' flavors add up to
    "(used_max)", then the same per project."""
    node = next((n for n in conductor.host_states(ctx) if n["host"] == host), None)
    if node is None:
        raise exception.ComputeHostNotFound(host=host)
    rows = [_usage(host, "(total)", node["vcpus"], node["memory_mb"], node["local_gb"]),
            _usage(host, "(used_now)", node["vcpus_used"], node["memory_mb_used"],
                   node["local_gb_used"])]
    used_max = _usage(host, "(used_max)")
    projects: dict[str, dict[str, Any]] = {}
    for inst in conductor.instance_list(ctx, filters={"host": host}):
        for row in (used_max, projects.setdefault(inst["project_id"],
                                                  _usage(host, inst["project_id"]))):
            row["cpu"] += inst["vcpus"]
            row["memory_mb"] += inst["memory_mb"]
            row["disk_gb"] += inst["root_gb"] + inst["ephemeral_gb"]
    return rows + [used_max, *projects.values()]


def require_compute_host(ctx: RequestContext, host: str) -> dict[str, Any]:
    """The compute service of `host`; 404 when it has none."""
    found = conductor.service_list(ctx, host=host, binary=COMPUTE_BINARY)
    if not found:
        raise exception.ComputeHostNotFound(host=host)
    return found[0]


def update_host(ctx: RequestContext, host: str, enabled: bool | None,
                maintenance: bool | None) -> dict[str, str]:
    """PUT /os-hosts/{host}: enabling or disabling the host is enabling or disabling its
    compute service ("status" in the answer). No virt driver has a maintenance mode: asked
    for, it is 501 (as Nova answers when the driver does not implement it), before anything
    changes."""
    require_compute_host(ctx, host)
    if maintenance is not None:
        raise exception.FeatureNotSupported(
            reason="No virt driver of this cloud has a host maintenance mode; disable the "
                   "host (status: disable) to keep new servers off it.")
    result = {"host": host}
    if enabled is not None:
        (enable_service if enabled else disable_service)(ctx, host, COMPUTE_BINARY)
        result["status"] = "enabled" if enabled else "disabled"
    return result


def host_power_action(ctx: RequestContext, host: str, action: str) -> NoReturn:
    """GET /os-hosts/{host}/startup|shutdown|reboot: no virt driver of this cloud powers its
    host on or off (nor does Nova's libvirt driver): 501 for a compute host, else 404."""
    require_compute_host(ctx, host)
    raise exception.FeatureNotSupported(
        reason=f"The virt drivers of this cloud cannot {POWER_VERBS[action]} their host; "
               f"{POWER_VERBS[action]} {host} out of band.")
