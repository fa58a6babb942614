"""The scheduler's reads (conductor/rpcapi/scheduling.py), answered from the hosts and
compute domains."""
from __future__ import annotations

from typing import Any

from conductor.rpcapi.scheduling import SchedulingAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


def _owner(endpoints: list[Any], method: str) -> Any:
    return next(e for e in endpoints if hasattr(e, method))


class SchedulingEndpoint:
    target = endpoint_target(SchedulingAPI)

    def __init__(self, domains: dict[str, list[Any]]) -> None:
        self._hosts = _owner(domains["hosts"], "host_states")
        self._aggregates = _owner(domains["hosts"], "aggregate_list")
        self._instances = _owner(domains["compute"], "instance_list")
        self._groups = _owner(domains["compute"], "server_group_get")

    def host_states(self, ctx: RequestContext) -> list[dict[str, Any]]:
        states: list[dict[str, Any]] = self._hosts.host_states(ctx)
        return states

    def aggregate_list(self, ctx: RequestContext) -> list[dict[str, Any]]:
        aggregates: list[dict[str, Any]] = self._aggregates.aggregate_list(ctx)
        return aggregates

    def instance_hosts(self, ctx: RequestContext, instance_uuids: list[str]) -> dict[str, str]:
        found = self._instances.instance_list(ctx, filters={"uuids": instance_uuids})
        return {i["uuid"]: i["host"] for i in found if i["host"]}

    def group_hosts(self, ctx: RequestContext, group_uuid: str) -> list[str]:
        try:
            group = self._groups.server_group_get(ctx, group_uuid=group_uuid, with_hosts=True)
        except exception.InstanceGroupNotFound:
            return []
        hosts: list[str] = group["hosts"]
        return hosts
