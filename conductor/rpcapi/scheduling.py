"""Wire contract of the conductor's reads for the scheduler (topic `conductor_scheduling`).

The scheduler is called from conductor threads that are placing a build; its reads are
served on a topic and executor of their own so they never queue behind those threads.

Version history:
  1.0 - host_states, aggregate_list (as the hosts domain gives them), instance_hosts,
        group_hosts.
"""
from __future__ import annotations

from typing import Any

from stratus.context import RequestContext
from stratus.rpc import RPCAPI, call


class SchedulingAPI(RPCAPI):
    TOPIC = "conductor_scheduling"
    VERSION = "1.0"

    @call("1.0")
    def host_states(self, ctx: RequestContext) -> list[dict[str, Any]]:
        """Every compute node with its usage."""

    @call("1.0")
    def aggregate_list(self, ctx: RequestContext) -> list[dict[str, Any]]:
        """Every aggregate with its hosts and metadata."""

    @call("1.0")
    def instance_hosts(self, ctx: RequestContext, *,
                       instance_uuids: list[str]) -> dict[str, str]:
        """The host of each of these instances that has one (same_host/different_host)."""

    @call("1.0")
    def group_hosts(self, ctx: RequestContext, *, group_uuid: str) -> list[str]:
        """The hosts of a server group's placed members, once per member (none if the
        group is gone)."""
