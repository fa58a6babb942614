"""The conductor: sole owner of the database, and orchestrator of builds.

Importing the package registers the conductor as the service registry (the owner of the
services table) that stratus.service and stratus.servicegroup report to and wait for;
every process that runs a service imports it (the services call the conductor). Its
launcher plugin is conductor/service.py, its admin commands conductor/cli.py.

Its code is split by domain: identity/, image/, compute/ and hosts/, each with its models,
its queries (the only place SQL is written) and its RPC endpoints; its contracts, one per
domain, are in conductor/rpcapi/; conductor/db/ holds the engine, the transactions and the
gathered models.
"""
from __future__ import annotations

from typing import Any

from conductor.rpcapi.hosts import HostsAPI
from conductor.rpcapi.identity import IdentityAPI
from stratus import servicegroup
from stratus.context import RequestContext, get_admin_context


class ConductorRegistry:
    """The conductor as the services reach it: to wait for it and to record themselves."""
    name = "conductor"

    def ping(self, ctx: RequestContext) -> None:
        HostsAPI.get().ping(ctx)

    def record(self, ctx: RequestContext, host: str, binary: str, topic: str) -> None:
        HostsAPI.get().service_report(ctx, host=host, binary=binary, topic=topic)


def revocation_events(after_id: int) -> list[dict[str, Any]]:
    """Token revocation events newer than `after_id`: what the APIs' revocation caches
    fetch (their app factories pass this to `revocations.use`)."""
    events: list[dict[str, Any]] = IdentityAPI.get().revocation_events(get_admin_context(),
                                                                    after_id=after_id)
    return events


servicegroup.set_registry(ConductorRegistry())
