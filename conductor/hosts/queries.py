"""SQL of the hosts domain: services and their state reports, compute nodes with the
usage of their instances (the host states the scheduler reads), and host aggregates with
the rules that keep every host in one availability zone."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.queries.usage import NO_USAGE, hosts_with_instances, usage_by_node
from conductor.db import api as db
from conductor.db.base import utcnow
from conductor.hosts.models import Aggregate, AggregateHost, ComputeNode, Service
from stratus import exception
from stratus.availability_zones import COMPUTE_BINARY, ZONE_KEY
from stratus.config import CONF


# --- services ----------------------------------------------------------------------

def _service_row(session: Session, host: str | None = None, binary: str | None = None,
                 service_uuid: str | None = None) -> Service:
    if service_uuid is not None:
        row = session.scalar(sa.select(Service).where(Service.uuid == service_uuid))
        missing = service_uuid
    else:
        row = session.scalar(sa.select(Service).where(Service.host == host,
                                                      Service.binary == binary))
        missing = f"{binary} on {host}"
    if row is None:
        raise exception.ServiceNotFound(service_id=missing)
    return row


def compute_service(session: Session, host: str) -> dict[str, Any] | None:
    """The compute service of `host`, if it has one."""
    row = session.scalar(sa.select(Service).where(Service.host == host,
                                                  Service.binary == COMPUTE_BINARY))
    return None if row is None else db.to_dict(row)


def report_service(host: str, binary: str, topic: str) -> dict[str, Any]:
    """Count a state report of the service (recording it on its first)."""
    with db.writer() as s:
        row = s.scalar(sa.select(Service).where(Service.host == host,
                                                Service.binary == binary))
        if row is None:
            row = Service(uuid=str(uuid.uuid4()), host=host, binary=binary, topic=topic)
            s.add(row)
        row.report_count = (row.report_count or 0) + 1
        row.last_seen_up = utcnow()
        s.flush()
        return db.to_dict(row)


def services(host: str | None = None, binary: str | None = None) -> list[dict[str, Any]]:
    with db.reader() as s:
        query = sa.select(Service).order_by(Service.id)
        if host:
            query = query.where(Service.host == host)
        if binary:
            query = query.where(Service.binary == binary)
        return [db.to_dict(r) for r in s.scalars(query)]


def service(service_uuid: str) -> dict[str, Any]:
    with db.reader() as s:
        return db.to_dict(_service_row(s, service_uuid=service_uuid))


def update_service(changes: dict[str, Any], host: str | None = None,
                   binary: str | None = None,
                   service_uuid: str | None = None) -> dict[str, Any]:
    """Write `changes` to the service named by `service_uuid`, or by host and binary."""
    with db.writer() as s:
        row = _service_row(s, host, binary, service_uuid)
        for key, value in changes.items():
            setattr(row, key, value)
        s.flush()
        return db.to_dict(row)


def delete_service(service_id: int | None = None,
                   service_uuid: str | None = None) -> tuple[str, str]:
    """Delete a service by database id or uuid (a compute service with its nodes); its
    host and binary."""
    with db.writer() as s:
        if service_uuid is not None:
            row = _service_row(s, service_uuid=service_uuid)
        else:
            row = s.get(Service, service_id)
            if row is None:
                raise exception.ServiceNotFound(service_id=service_id)
        if row.binary == COMPUTE_BINARY:
            s.execute(sa.delete(ComputeNode).where(ComputeNode.host == row.host))
        s.delete(row)
        return row.host, row.binary


# --- compute nodes -------------------------------------------------------------------

def _node_dict(node: ComputeNode, usage: dict[str, int] | None,
               service: Service | None) -> dict[str, Any]:
    out = db.to_dict(node)
    out.update(usage or NO_USAGE)
    out["service"] = db.to_dict(service) if service is not None else None
    return out


def lock_compute_node(session: Session, node: str) -> dict[str, Any] | None:
    """The node, its row locked on server databases so concurrent claims queue up."""
    query = sa.select(ComputeNode).where(ComputeNode.hypervisor_hostname == node)
    if not db.is_sqlite():
        query = query.with_for_update()
    row = session.scalar(query)
    return None if row is None else db.to_dict(row)


def report_compute_node(host: str, node: str, resources: dict[str, Any]) -> dict[str, Any]:
    """Record the node's resources (the node on its first report); it with its usage."""
    with db.writer() as s:
        row = s.scalar(sa.select(ComputeNode).where(ComputeNode.hypervisor_hostname == node))
        if row is None:
            row = ComputeNode(uuid=str(uuid.uuid4()), host=host, hypervisor_hostname=node)
            s.add(row)
        row.host = host
        for key, value in resources.items():
            setattr(row, key, value)
        s.flush()
        return _node_dict(row, usage_by_node(s, node).get(node), None)


def host_states() -> list[dict[str, Any]]:
    """Every compute node with its usage and its service, in two queries."""
    with db.reader() as s:
        rows = s.execute(
            sa.select(ComputeNode, Service)
            .outerjoin(Service, sa.and_(Service.host == ComputeNode.host,
                                        Service.binary == COMPUTE_BINARY))
            .order_by(ComputeNode.id)).all()
        usage = usage_by_node(s)
        return [_node_dict(node, usage.get(node.hypervisor_hostname), service)
                for node, service in rows]


# --- aggregates ----------------------------------------------------------------------

def aggregate_dict(row: Aggregate) -> dict[str, Any]:
    out = db.to_dict(row, skip=("metadata_items",))
    out["metadata"] = dict(row.metadata_items or {})
    out["availability_zone"] = out["metadata"].get(ZONE_KEY)
    out["hosts"] = [h.host for h in row.hosts]
    return out


def host_aggregates(session: Session, host: str) -> list[dict[str, Any]]:
    rows = session.scalars(sa.select(Aggregate).join(AggregateHost)
                           .where(AggregateHost.host == host).order_by(Aggregate.id))
    return [aggregate_dict(a) for a in rows]


def _aggregate_row(session: Session, aggregate_id: int) -> Aggregate:
    row = session.get(Aggregate, aggregate_id)
    if row is None:
        raise exception.AggregateNotFound(aggregate_id=aggregate_id)
    return row


def _name_taken(session: Session, name: str) -> bool:
    return session.scalar(sa.select(Aggregate.id).where(Aggregate.name == name)) is not None


def _check_zone_name(zone: Any, action: str, aggregate_id: Any) -> None:
    if zone == CONF.internal_service_availability_zone:
        raise exception.InvalidAggregateAction(
            action=action, aggregate_id=aggregate_id,
            reason=f"{zone} is the zone of internal services and cannot hold hosts")


def _zone_conflicts(session: Session, hosts: list[str], zone: str | None,
                    aggregate_id: int | None) -> list[str]:
    """Zones other aggregates put any of `hosts` in, when they differ from `zone`."""
    if not hosts or not zone:
        return []
    rows = session.scalars(sa.select(Aggregate).join(AggregateHost)
                           .where(AggregateHost.host.in_(hosts)))
    found = {(a.metadata_items or {}).get(ZONE_KEY) for a in rows if a.id != aggregate_id}
    found.discard(None)
    return sorted(z for z in found if z != zone)


def _set_zone(session: Session, row: Aggregate, zone: str | None, action: str) -> None:
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
    busy = hosts_with_instances(session, hosts)
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


def aggregates() -> list[dict[str, Any]]:
    with db.reader() as s:
        return [aggregate_dict(a) for a in s.scalars(
            sa.select(Aggregate).order_by(Aggregate.id))]


def aggregate(aggregate_id: int) -> dict[str, Any]:
    with db.reader() as s:
        return aggregate_dict(_aggregate_row(s, aggregate_id))


def create_aggregate(name: str, zone: str | None = None) -> dict[str, Any]:
    _check_zone_name(zone, "create", name)
    with db.writer() as s:
        if _name_taken(s, name):
            raise exception.AggregateNameExists(aggregate_name=name)
        metadata = {ZONE_KEY: zone} if zone else {}
        row = Aggregate(uuid=str(uuid.uuid4()), name=name, metadata_items=metadata)
        s.add(row)
        s.flush()
        return aggregate_dict(row)


def update_aggregate(aggregate_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Rename it (`name`) or move its hosts to another zone (`availability_zone`)."""
    with db.writer() as s:
        row = _aggregate_row(s, aggregate_id)
        name = values.get("name")
        if name is not None and name != row.name:
            if _name_taken(s, name):
                raise exception.AggregateNameExists(aggregate_name=name)
            row.name = name
        if "availability_zone" in values:
            _set_zone(s, row, values["availability_zone"], "update")
        s.flush()
        return aggregate_dict(row)


def delete_aggregate(aggregate_id: int) -> None:
    """Delete the aggregate if it holds no host."""
    with db.writer() as s:
        row = _aggregate_row(s, aggregate_id)
        if row.hosts:
            raise exception.InvalidAggregateAction(
                action="delete", aggregate_id=aggregate_id,
                reason="Host aggregate is not empty")
        s.delete(row)


def add_host(aggregate_id: int, host: str) -> dict[str, Any]:
    """Add a compute host, unless that puts it in a second zone or moves its instances
    to another zone."""
    with db.writer() as s:
        row = _aggregate_row(s, aggregate_id)
        if compute_service(s, host) is None:
            raise exception.ComputeHostNotFound(host=host)
        if host in [h.host for h in row.hosts]:
            raise exception.AggregateHostExists(aggregate_id=aggregate_id, host=host)
        zone = (row.metadata_items or {}).get(ZONE_KEY)
        conflicts = _zone_conflicts(s, [host], zone, row.id)
        if conflicts:
            raise exception.Conflict(
                reason=f"Cannot add host {host} to aggregate {aggregate_id}: it is "
                       f"already in availability zone(s) {', '.join(conflicts)}")
        if zone and hosts_with_instances(s, [host]):
            raise exception.Conflict(
                reason=f"Cannot add host {host} to aggregate {aggregate_id}: it runs "
                       f"instances that would move to availability zone {zone}")
        row.hosts.append(AggregateHost(host=host))
        s.flush()
        return aggregate_dict(row)


def remove_host(aggregate_id: int, host: str) -> dict[str, Any]:
    """Remove a host, unless its instances would leave their zone."""
    with db.writer() as s:
        row = _aggregate_row(s, aggregate_id)
        member = next((h for h in row.hosts if h.host == host), None)
        if member is None:
            raise exception.AggregateHostNotFound(aggregate_id=aggregate_id, host=host)
        if (row.metadata_items or {}).get(ZONE_KEY) and hosts_with_instances(s, [host]):
            raise exception.Conflict(
                reason=f"Cannot remove host {host} from aggregate {aggregate_id}: it "
                       f"runs instances that would leave their availability zone")
        row.hosts.remove(member)
        s.flush()
        return aggregate_dict(row)


def set_metadata(aggregate_id: int, metadata: dict[str, Any],
                 check: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Set keys (a None value deletes its key; the zone moves the hosts as in
    update_aggregate); `check` sees the resulting metadata before it is written."""
    with db.writer() as s:
        row = _aggregate_row(s, aggregate_id)
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
        check(current)
        current.pop(ZONE_KEY, None)
        zone = (row.metadata_items or {}).get(ZONE_KEY)
        row.metadata_items = {**current, **({ZONE_KEY: zone} if zone else {})}
        s.flush()
        return aggregate_dict(row)
