"""The conductor: sole owner of the database, and orchestrator of builds.

Importing the package registers the conductor as the service registry (the owner of the
services table) that stratus.service and stratus.servicegroup report to and wait for;
every process that runs a service imports it (the services call the conductor). Its
launcher plugin is conductor/service.py, its admin commands conductor/cli.py.
"""
from __future__ import annotations

from typing import Any

from conductor.rpcapi import ConductorAPI
from stratus import servicegroup
from stratus.context import RequestContext, get_admin_context


class ConductorRegistry:
    """The conductor as the services reach it: to wait for it and to record themselves."""
    name = "conductor"

    def ping(self, ctx: RequestContext) -> None:
        ConductorAPI(timeout=2).ping(ctx)

    def record(self, ctx: RequestContext, host: str, binary: str, topic: str) -> None:
        ConductorAPI().service_report(ctx, host=host, binary=binary, topic=topic)


def revocation_events(after_id: int) -> list[dict[str, Any]]:
    """Token revocation events newer than `after_id`: what the APIs' revocation caches
    fetch (their app factories pass this to `revocations.use`)."""
    events: list[dict[str, Any]] = ConductorAPI().revocation_events(get_admin_context(),
                                                                     after_id=after_id)
    return events


servicegroup.set_registry(ConductorRegistry())
