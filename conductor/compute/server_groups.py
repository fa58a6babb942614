"""The server group endpoint: instances placed together (affinity) or apart
(anti-affinity), hard or soft, under the server_groups and server_group_members quotas.
The rows are read and written by conductor/compute/queries/server_groups.py."""
from __future__ import annotations

from typing import Any

from conductor.compute import limits
from conductor.compute.queries import server_groups as queries
from conductor.rpcapi.compute import ComputeConductorAPI
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


def _room_for_one(project_limits: dict[str, int], usage: dict[str, int]) -> None:
    limits.check(project_limits, {"server_groups": usage["server_groups"]},
                 {"server_groups": 1})


class ServerGroupEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def server_group_create(self, ctx: RequestContext, project_id: str, user_id: str,
                            name: str, policy: str,
                            rules: dict[str, Any] | None = None) -> dict[str, Any]:
        return queries.create_group(project_id, user_id, name, policy, rules or {},
                                    check=_room_for_one)

    def server_group_get(self, ctx: RequestContext, group_uuid: str,
                         project_id: str | None = None,
                         with_hosts: bool = False) -> dict[str, Any]:
        """The group; `with_hosts` adds "hosts", the host of each placed member."""
        return queries.group(group_uuid, project_id, with_hosts)

    def server_group_list(self, ctx: RequestContext, project_id: str | None = None,
                          limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        return queries.groups(project_id, limit, offset)

    def server_group_delete(self, ctx: RequestContext, group_uuid: str,
                            project_id: str | None = None) -> None:
        queries.delete_group(group_uuid, project_id)

    def instance_server_groups(self, ctx: RequestContext, instance_uuid: str) -> list[str]:
        return queries.groups_of_instance(instance_uuid)
