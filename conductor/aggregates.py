"""Host aggregates: named sets of compute hosts with metadata (seed 5.2.6).

The metadata keys the scheduler reads: `availability_zone` (the hosts' zone),
`cpu/ram/disk_allocation_ratio` (overrides, the lowest wins), `filter_tenant_id*`
(AggregateMultiTenancyIsolation) and any key flavors ask for through
AggregateInstanceExtraSpecsFilter.
"""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from conductor.db import api as db
from conductor.db.models import Aggregate, AggregateHost, Instance, Service
from conductor.rpcapi import ConductorAPI
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.allocation_ratios import RATIO_KEYS
from stratus.availability_zones import COMPUTE_BINARY, ZONE_KEY
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


def aggregate_dict(row: Aggregate) -> dict[str, Any]:
    out = db.to_dict(row, skip=("metadata_items",))
    out["metadata"] = dict(row.metadata_items or {})
    out["availability_zone"] = out["metadata"].get(ZONE_KEY)
    out["hosts"] = [h.host for h in row.hosts]
    return out


def all_aggregates(session: sa.orm.Session) -> list[dict[str, Any]]:
    return [aggregate_dict(a) for a in session.scalars(
        sa.select(Aggregate).order_by(Aggregate.id))]


def host_aggregates(session: sa.orm.Session, host: str) -> list[dict[str, Any]]:
    rows = session.scalars(sa.select(Aggregate).join(AggregateHost)
                           .where(AggregateHost.host == host).order_by(Aggregate.id))
    return [aggregate_dict(a) for a in rows]


def _get(session: sa.orm.Session, aggregate_id: int) -> Aggregate:
    row = session.get(Aggregate, aggregate_id)
    if row is None:
        raise exception.AggregateNotFound(aggregate_id=aggregate_id)
    return row


def _check_zone_name(zone: Any, action: str, aggregate_id: Any) -> None:
    if zone == CONF.internal_service_availability_zone:
        raise exception.InvalidAggregateAction(
            action=action, aggregate_id=aggregate_id,
            reason=f"{zone} is the zone of internal services and cannot hold hosts")


def _zone_conflicts(session: sa.orm.Session, hosts: list[str], zone: str | None,
                    aggregate_id: int | None) -> list[str]:
    """Zones other aggregates put any of `hosts` in, when they differ from `zone`."""
    if not hosts or not zone:
        return []
    rows = session.scalars(sa.select(Aggregate).join(AggregateHost)
                           .where(AggregateHost.host.in_(hosts)))
    found = {(a.metadata_items or {}).get(ZONE_KEY) for a in rows if a.id != aggregate_id}
    found.discard(None)
    return sorted(z for z in found if z != zone)


def _hosts_with_instances(session: sa.orm.Session, hosts: list[str]) -> list[str]:
    if not hosts:
        return []
    return sorted(set(session.scalars(sa.select(Instance.host).where(
        Instance.host.in_(hosts), Instance.deleted == 0).distinct())))


def _set_zone(session: sa.orm.Session, row: Aggregate, zone: str | None, action: str) -> None:
    """Give the aggregate's hosts a new zone, if no host ends up in two zones and no host
    runs instances that would change zone under them."""
    old = (row.metadata_items or {}).get(ZONE_KEY)
    if zone == old:
        return
    _check_zone_name(zone, action, row.id)
    hosts = [h.host for h in row.hosts]
    conflicts = _zone_conflicts(session, hosts, zone, row.id)
    if conflicts:
        raise exception.InvalidAggregateAction(
            action=action, aggregate_id=row.id,
            reason=f"One or more hosts are already in availability zone(s) "
                   f"{', '.join(conflicts)}")
    busy = _hosts_with_instances(session, hosts)
    if busy:
        raise exception.InvalidAggregateAction(
            action=action, aggregate_id=row.id,
            reason=f"hosts {', '.join(busy)} run instances that would change zone")
    metadata = dict(row.metadata_items or {})
    if zone:
        metadata[ZONE_KEY] = zone
    else:
        metadata.pop(ZONE_KEY, None)
    row.metadata_items = metadata


class AggregateEndpoint:
    target = endpoint_target(ConductorAPI)

    def aggregate_list(self, ctx: RequestContext) -> list[dict[str, Any]]:
        with db.reader() as s:
            return all_aggregates(s)

    def aggregate_get(self, ctx: RequestContext, aggregate_id: int) -> dict[str, Any]:
        with db.reader() as s:
            return aggregate_dict(_get(s, aggregate_id))

    def aggregate_create(self, ctx: RequestContext, name: str,
                         availability_zone: str | None = None) -> dict[str, Any]:
        _check_zone_name(availability_zone, "create", name)
        with db.writer() as s:
            if s.scalar(sa.select(Aggregate.id).where(Aggregate.name == name)) is not None:
                raise exception.AggregateNameExists(aggregate_name=name)
            metadata = {ZONE_KEY: availability_zone} if availability_zone else {}
            row = Aggregate(uuid=str(uuid.uuid4()), name=name, metadata_items=metadata)
            s.add(row)
            s.flush()
            return aggregate_dict(row)

    def aggregate_update(self, ctx: RequestContext, aggregate_id: int,
                         values: dict[str, Any]) -> dict[str, Any]:
        with db.writer() as s:
            row = _get(s, aggregate_id)
            name = values.get("name")
            if name is not None and name != row.name:
                if s.scalar(sa.select(Aggregate.id).where(Aggregate.name == name)) is not None:
                    raise exception.AggregateNameExists(aggregate_name=name)
                row.name = name
            if "availability_zone" in values:
                _set_zone(s, row, values["availability_zone"], "update")
            s.flush()
            out = aggregate_dict(row)
        SchedulerAPI().host_states_changed(ctx)
        return out

    def aggregate_delete(self, ctx: RequestContext, aggregate_id: int) -> None:
        with db.writer() as s:
            row = _get(s, aggregate_id)
            if row.hosts:
                raise exception.InvalidAggregateAction(
                    action="delete", aggregate_id=aggregate_id,
                    reason="Host aggregate is not empty")
            s.delete(row)
        SchedulerAPI().host_states_changed(ctx)

    def aggregate_add_host(self, ctx: RequestContext, aggregate_id: int,
                           host: str) -> dict[str, Any]:
        with db.writer() as s:
            row = _get(s, aggregate_id)
            if s.scalar(sa.select(Service.id).where(Service.host == host,
                                                    Service.binary == COMPUTE_BINARY)) is None:
                raise exception.ComputeHostNotFound(host=host)
            if host in [h.host for h in row.hosts]:
                raise exception.AggregateHostExists(aggregate_id=aggregate_id, host=host)
            zone = (row.metadata_items or {}).get(ZONE_KEY)
            conflicts = _zone_conflicts(s, [host], zone, row.id)
            if conflicts:
                raise exception.Conflict(
                    reason=f"Cannot add host {host} to aggregate {aggregate_id}: it is "
                           f"already in availability zone(s) {', '.join(conflicts)}")
            if zone and _hosts_with_instances(s, [host]):
                raise exception.Conflict(
                    reason=f"Cannot add host {host} to aggregate {aggregate_id}: it runs "
                           f"instances that would move to availability zone {zone}")
            row.hosts.append(AggregateHost(host=host))
            s.flush()
            out = aggregate_dict(row)
        SchedulerAPI().host_states_changed(ctx)
        return out

    def aggregate_remove_host(self, ctx: RequestContext, aggregate_id: int,
                              host: str) -> dict[str, Any]:
        with db.writer() as s:
            row = _get(s, aggregate_id)
            member = next((h for h in row.hosts if h.host == host), None)
            if member is None:
                raise exception.AggregateHostNotFound(aggregate_id=aggregate_id, host=host)
            if (row.metadata_items or {}).get(ZONE_KEY) and _hosts_with_instances(s, [host]):
                raise exception.Conflict(
                    reason=f"Cannot remove host {host} from aggregate {aggregate_id}: it "
                           f"runs instances that would leave their availability zone")
            row.hosts.remove(member)
            s.flush()
            out = aggregate_dict(row)
        SchedulerAPI().host_states_changed(ctx)
        return out

    def aggregate_set_metadata(self, ctx: RequestContext, aggregate_id: int,
                               metadata: dict[str, Any]) -> dict[str, Any]:
        """Set keys; a None value deletes its key."""
        with db.writer() as s:
            row = _get(s, aggregate_id)
            if ZONE_KEY in metadata:
                _set_zone(s, row, metadata[ZONE_KEY], "update metadata of")
            current = dict(row.metadata_items or {})
            for key, value in metadata.items():
                if key == ZONE_KEY:
                    continue
                if value is None:
                    current.pop(key, None)
                else:
                    current[key] = str(value)
            _check_ratios(current, aggregate_id)
            current.pop(ZONE_KEY, None)
            zone = (row.metadata_items or {}).get(ZONE_KEY)
            row.metadata_items = {**current, **({ZONE_KEY: zone} if zone else {})}
            s.flush()
            out = aggregate_dict(row)
        SchedulerAPI().host_states_changed(ctx)
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
