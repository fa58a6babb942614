"""The host aggregate endpoint: named sets of compute hosts with metadata (seed 5.2.6).

The metadata keys the scheduler reads: `availability_zone` (the hosts' zone),
`cpu/ram/disk_allocation_ratio` (overrides, the lowest wins), `filter_tenant_id*`
(AggregateMultiTenancyIsolation) and any key flavors ask for through
AggregateInstanceExtraSpecsFilter. The rows, and the zone rules that need them, are in
conductor/hosts/queries.py.
"""
from __future__ import annotations

from typing import Any

from conductor.hosts import queries
from conductor.rpcapi.hosts import HostsAPI
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.allocation_ratios import RATIO_KEYS
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


class AggregateEndpoint:
    target = endpoint_target(HostsAPI)

    def aggregate_list(self, ctx: RequestContext) -> list[dict[str, Any]]:
        return queries.aggregates()

    def aggregate_get(self, ctx: RequestContext, aggregate_id: int) -> dict[str, Any]:
        return queries.aggregate(aggregate_id)

    def aggregate_create(self, ctx: RequestContext, name: str,
                         availability_zone: str | None = None) -> dict[str, Any]:
        return queries.create_aggregate(name, availability_zone)

    def aggregate_update(self, ctx: RequestContext, aggregate_id: int,
                         values: dict[str, Any]) -> dict[str, Any]:
        out = queries.update_aggregate(aggregate_id, values)
        SchedulerAPI.get().host_states_changed(ctx)
        return out

    def aggregate_delete(self, ctx: RequestContext, aggregate_id: int) -> None:
        queries.delete_aggregate(aggregate_id)
        SchedulerAPI.get().host_states_changed(ctx)

    def aggregate_add_host(self, ctx: RequestContext, aggregate_id: int,
                           host: str) -> dict[str, Any]:
        out = queries.add_host(aggregate_id, host)
        SchedulerAPI.get().host_states_changed(ctx)
        return out

    def aggregate_remove_host(self, ctx: RequestContext, aggregate_id: int,
                              host: str) -> dict[str, Any]:
        out = queries.remove_host(aggregate_id, host)
        SchedulerAPI.get().host_states_changed(ctx)
        return out

    def aggregate_set_metadata(self, ctx: RequestContext, aggregate_id: int,
                               metadata: dict[str, Any]) -> dict[str, Any]:
        """Set keys; a None value deletes its key."""
        out = queries.set_metadata(aggregate_id, metadata,
                                   check=lambda merged: _check_ratios(merged, aggregate_id))
        SchedulerAPI.get().host_states_changed(ctx)
        return out


def _check_ratios(metadata: dict[str, Any], aggregate_id: int) -> None:
    for key in RATIO_KEYS:
        if key not in metadata:
            continue
        try:
            ok = float(metadata[key]) > 0
        except ValueError:
            ok = False
        if not ok:
            raise exception.InvalidAggregateAction(
                action="update metadata of", aggregate_id=aggregate_id,
                reason=f"{key} must be a positive number, not {metadata[key]!r}")
