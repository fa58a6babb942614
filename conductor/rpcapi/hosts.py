"""Wire contract of the conductor's hosts domain (topic `conductor_hosts`): the service
registry, compute nodes and host aggregates.

Version history:
  1.0 - split out of the release-1 conductor contract (its 1.3 service, compute node and
        aggregate methods).
"""
from __future__ import annotations

from typing import Any

from stratus.context import RequestContext
from stratus.rpc import RPCAPI, call

Record = dict[str, Any]


class HostsAPI(RPCAPI):
    TOPIC = "conductor_hosts"
    VERSION = "1.0"

    @call("1.0", timeout=2)
    def ping(self, ctx: RequestContext) -> str:
        """Answers once the conductor serves requests."""

    @call("1.0")
    def service_report(self, ctx: RequestContext, *, host: str, binary: str,
                       topic: str) -> Record:
        """A service is alive (registers it on its first report)."""

    @call("1.0")
    def service_list(self, ctx: RequestContext, *, host: str | None = None,
                     binary: str | None = None) -> list[Record]:
        """Services matching the filters."""

    @call("1.0")
    def service_get(self, ctx: RequestContext, *, service_uuid: str) -> Record:
        """One service."""

    @call("1.0")
    def service_update(self, ctx: RequestContext, *, values: Record, host: str | None = None,
                       binary: str | None = None, service_uuid: str | None = None) -> Record:
        """Enable, disable or force down a service."""

    @call("1.0")
    def service_delete(self, ctx: RequestContext, *, service_id: int | None = None,
                       service_uuid: str | None = None) -> None:
        """Delete a service (and its compute node)."""

    @call("1.0")
    def compute_node_report(self, ctx: RequestContext, *, host: str, node: str,
                            resources: Record) -> Record:
        """A compute agent's resources (registers its node on the first report)."""

    @call("1.0")
    def host_states(self, ctx: RequestContext) -> list[Record]:
        """Every compute node with its usage, as the scheduler and the API read it."""

    @call("1.0")
    def aggregate_list(self, ctx: RequestContext) -> list[Record]:
        """Every aggregate with its hosts and metadata."""

    @call("1.0")
    def aggregate_get(self, ctx: RequestContext, *, aggregate_id: int) -> Record:
        """One aggregate."""

    @call("1.0")
    def aggregate_create(self, ctx: RequestContext, *, name: str,
                         availability_zone: str | None = None) -> Record:
        """A new aggregate (an availability zone if one is named)."""

    @call("1.0")
    def aggregate_update(self, ctx: RequestContext, *, aggregate_id: int,
                         values: Record) -> Record:
        """Rename an aggregate or change its zone."""

    @call("1.0")
    def aggregate_delete(self, ctx: RequestContext, *, aggregate_id: int) -> None:
        """Delete an empty aggregate."""

    @call("1.0")
    def aggregate_add_host(self, ctx: RequestContext, *, aggregate_id: int,
                           host: str) -> Record:
        """Put a compute host in the aggregate."""

    @call("1.0")
    def aggregate_remove_host(self, ctx: RequestContext, *, aggregate_id: int,
                              host: str) -> Record:
        """Take a host out of the aggregate."""

    @call("1.0")
    def aggregate_set_metadata(self, ctx: RequestContext, *, aggregate_id: int,
                               metadata: dict[str, Any]) -> Record:
        """Set (or, with None values, remove) metadata keys."""
