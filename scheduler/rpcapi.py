"""Wire contract of the scheduler (topic `scheduler`).

Version history:
  1.0 - select_destinations.
  1.1 - host_states_changed (fanout from the conductor).
  1.2 - select_destinations takes a RequestSpec payload and returns Destination payloads;
        excluded_hosts dropped (the spec's retry_hosts say it). No downgrade: the
        scheduler is upgraded with the conductor (docs/operations.md, rolling upgrades).
"""
from __future__ import annotations

from stratus.context import RequestContext
from stratus.objects.request_spec import Destination, RequestSpec
from stratus.rpc import RPCAPI, call, fanout


class SchedulerAPI(RPCAPI):
    TOPIC = "scheduler"
    VERSION = "1.2"

    @call("1.2")
    def select_destinations(self, ctx: RequestContext, *, request_spec: RequestSpec,
                            instance_uuids: list[str]) -> list[list[Destination]]:
        """Per instance a list of candidate hosts, best first; raises NoValidHost."""

    @fanout("1.1")
    def host_states_changed(self, ctx: RequestContext) -> None:
        """A host was added, removed, enabled, disabled or forced down."""
