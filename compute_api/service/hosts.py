"""Host status of servers (2.16): the liveness of their compute services."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from stratus import policy
from stratus.context import RequestContext
from stratus.servicegroup import get_driver

HOST_STATUS_POLICY = "os_compute_api:servers:show:host_status"


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
            for svc in conductor.service_list(ctx, binary="stratus-compute")}


def node_of(ctx: RequestContext, inst: dict[str, Any]) -> dict[str, Any] | None:
    """The compute node (host state) the instance runs on."""
    return next((n for n in conductor.host_states(ctx)
                 if n["hypervisor_hostname"] == inst["node"]), None)
