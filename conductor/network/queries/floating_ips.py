"""SQL of floating IPs: pools an admin fills, addresses a project allocates (its
floating_ips quota) and associates with a server's fixed IP; each association also lands
in the server's network_info."""
from __future__ import annotations

import ipaddress
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.limits import check
from conductor.compute.models import Instance
from conductor.compute.queries import quotas
from conductor.db import api as db
from conductor.network.queries import networks
from conductor.network.addressing import BRIDGE_NAME
from conductor.network.models import FixedIp, FloatingIp, VirtualInterface
from stratus import exception
from stratus.config import CONF

Record = dict[str, Any]
MAX_BULK = 65536


def _dict(row: FloatingIp, fixed: str | None, instance_uuid: str | None) -> Record:
    return {"id": row.id, "address": row.address, "pool": row.pool,
            "interface": row.interface, "project_id": row.project_id, "host": row.host,
            "auto_assigned": row.auto_assigned, "fixed_ip": fixed,
            "instance_uuid": instance_uuid}


def _query() -> sa.Select[Any]:
    return (sa.select(FloatingIp, FixedIp.address, FixedIp.instance_uuid)
            .outerjoin(FixedIp, FixedIp.id == FloatingIp.fixed_ip_id)
            .order_by(FloatingIp.id))


def _rows(session: Session, query: sa.Select[Any]) -> list[Record]:
    return [_dict(row, fixed, uuid) for row, fixed, uuid in session.execute(query)]


# --- pools (admins) ---------------------------------------------------------------

def _range(ip_range: str) -> list[str]:
    try:
        net = ipaddress.ip_network(ip_range, strict=False)
    except ValueError:
        raise exception.Invalid(f"Invalid IP range {ip_range!r}: give an address or a "
                                f"CIDR such as 203.0.113.0/28.")
    if net.num_addresses > MAX_BULK:
        raise exception.Invalid(f"{ip_range} has more than {MAX_BULK} addresses.")
    hosts = [net.network_address] if net.num_addresses == 1 else list(net.hosts())
    return [str(a) for a in hosts]


def bulk_create(pool: str | None, ip_range: str, interface: str | None) -> list[Record]:
    """Fill a pool with the addresses of `ip_range`; Conflict if any exists already."""
    pool = pool or CONF.network.default_floating_pool
    if interface is not None and not BRIDGE_NAME.match(interface):
        raise exception.Invalid(f"Invalid interface name {interface!r}.")
    addresses = _range(ip_range)
    with db.writer() as s:
        taken = s.scalar(sa.select(FloatingIp.address).where(
            FloatingIp.address.in_(addresses)).limit(1))
        if taken:
            raise exception.Conflict(reason=f"Floating IP {taken} already exists.")
        rows = [FloatingIp(address=a, pool=pool, interface=interface) for a in addresses]
        s.add_all(rows)
        s.flush()
        return [_dict(r, None, None) for r in rows]


def bulk_delete(ip_range: str) -> list[str]:
    """Remove the range's addresses from their pool (Conflict while one is associated)."""
    addresses = _range(ip_range)
    with db.writer() as s:
        busy = s.scalar(sa.select(FloatingIp.address).where(
            FloatingIp.address.in_(addresses), FloatingIp.fixed_ip_id.is_not(None)).limit(1))
        if busy:
            raise exception.Conflict(reason=f"Floating IP {busy} is associated with a "
                                            f"server; disassociate it first.")
        found = list(s.scalars(sa.select(FloatingIp.address).where(
            FloatingIp.address.in_(addresses))))
        s.execute(sa.delete(FloatingIp).where(FloatingIp.address.in_(addresses)))
        return found


def list_all(host: str | None = None) -> list[Record]:
    query = _query()
    if host is not None:
        query = query.where(FloatingIp.host == host)
    with db.reader() as s:
        return _rows(s, query)


def pools() -> list[str]:
    with db.reader() as s:
        return list(s.scalars(sa.select(FloatingIp.pool).distinct().order_by(FloatingIp.pool)))


# --- a project's addresses ----------------------------------------------------------

def list_project(project_id: str) -> list[Record]:
    with db.reader() as s:
        return _rows(s, _query().where(FloatingIp.project_id == project_id))


def _row(session: Session, project_id: str | None, *, floating_id: int | None = None,
         address: str | None = None) -> FloatingIp:
    query = sa.select(FloatingIp).with_for_update()
    query = query.where(FloatingIp.id == floating_id) if floating_id is not None \
        else query.where(FloatingIp.address == address)
    if project_id is not None:
        query = query.where(FloatingIp.project_id == project_id)
    row = session.scalar(query)
    if row is None:
        what = f"id {floating_id}" if floating_id is not None else address
        raise exception.NotFound(f"Floating IP not found for {what}")
    return row


def get(floating_id: int, project_id: str | None) -> Record:
    with db.reader() as s:
        found = _rows(s, _query().where(FloatingIp.id == floating_id, *(
            [FloatingIp.project_id == project_id] if project_id is not None else [])))
    if not found:
        raise exception.NotFound(f"Floating IP not found for ID {floating_id}")
    return found[0]


def allocate(project_id: str, pool: str | None, auto_assigned: bool = False) -> Record:
    """A free address of `pool` for the project, under its floating_ips quota; NotFound
    for an unknown pool or none left in it ("No more floating IPs in pool X.")."""
    pool = pool or CONF.network.default_floating_pool
    with db.writer() as s:
        quotas.lock_project(s, project_id)
        check(quotas.project_limits(s, project_id),
              {"floating_ips": quotas.floating_ip_count(s, project_id)}, {"floating_ips": 1})
        if s.scalar(sa.select(FloatingIp.id).where(FloatingIp.pool == pool).limit(1)) is None:
            raise exception.NotFound(f"Floating IP pool not found: {pool}.")
        row = s.scalar(sa.select(FloatingIp).where(
            FloatingIp.pool == pool, FloatingIp.project_id.is_(None))
            .order_by(FloatingIp.id).limit(1).with_for_update())
        if row is None:
            raise exception.NotFound(f"No more floating IPs in pool {pool}.")
        row.project_id, row.auto_assigned = project_id, auto_assigned
        s.flush()
        return _dict(row, None, None)


def deallocate(floating_id: int, project_id: str | None) -> Record:
    """Give the address back to its pool (disassociated first); what it was."""
    with db.writer() as s:
        row = _row(s, project_id, floating_id=floating_id)
        before = _rows(s, _query().where(FloatingIp.id == row.id))[0]
        _unlink(s, row)
        row.project_id, row.auto_assigned = None, False
        return before


def _unlink(session: Session, row: FloatingIp) -> str | None:
    """Take the address off its fixed IP; the instance it was on (its cache rewritten)."""
    if row.fixed_ip_id is None:
        return None
    uuid = session.scalar(sa.select(FixedIp.instance_uuid).where(
        FixedIp.id == row.fixed_ip_id))
    row.fixed_ip_id, row.host = None, None
    session.flush()
    if uuid:
        _rewrite_cache(session, uuid)
    return uuid


def _rewrite_cache(session: Session, instance_uuid: str) -> None:
    session.execute(sa.update(Instance).where(Instance.uuid == instance_uuid).values(
        network_info=networks.network_info(session, instance_uuid))
        .execution_options(synchronize_session=False))


def associate(project_id: str | None, address: str, instance_uuid: str,
              fixed_address: str | None = None) -> Record:
    """Point a floating IP of the project at one of the server's fixed IPs (its first
    IPv4 one unless named); Invalid when it is associated elsewhere or the fixed IP is
    not the server's. The association, with the host whose agent binds it."""
    with db.writer() as s:
        row = _row(s, project_id, address=address)
        instance = s.scalar(sa.select(Instance).where(Instance.uuid == instance_uuid,
                                                      Instance.deleted == 0))
        if instance is None:
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        fixed = _fixed_of(s, instance_uuid, fixed_address)
        if row.fixed_ip_id is not None and row.fixed_ip_id != fixed.id:
            raise exception.Invalid(f"Floating IP {address} is already associated with "
                                    f"another fixed IP; disassociate it first.")
        row.fixed_ip_id, row.host = fixed.id, instance.host
        s.flush()
        _rewrite_cache(s, instance_uuid)
        return _dict(row, fixed.address, instance_uuid)


def _fixed_of(session: Session, instance_uuid: str, address: str | None) -> FixedIp:
    query = (sa.select(FixedIp).join(VirtualInterface,
                                     VirtualInterface.id == FixedIp.virtual_interface_id)
             .where(FixedIp.instance_uuid == instance_uuid)
             .order_by(VirtualInterface.position, FixedIp.id))
    rows = list(session.scalars(query))
    if address is not None:
        rows = [r for r in rows if r.address == address]
        if not rows:
            raise exception.Invalid("Specified fixed address not assigned to instance")
    if not rows:
        raise exception.Invalid(f"Instance {instance_uuid} has no fixed IP to associate "
                                f"a floating IP with.")
    return rows[0]


def disassociate(project_id: str | None, address: str,
                 instance_uuid: str | None = None) -> Record:
    """Take a floating IP off its server (of `instance_uuid` when given; Invalid when it
    is not associated, or with another server); what it was."""
    with db.writer() as s:
        row = _row(s, project_id, address=address)
        before = _rows(s, _query().where(FloatingIp.id == row.id))[0]
        if before["instance_uuid"] is None or (
                instance_uuid is not None and before["instance_uuid"] != instance_uuid):
            raise exception.Conflict(reason=f"Floating IP {address} is not associated "
                                            f"with instance {instance_uuid}." if instance_uuid
                                     else f"Floating IP {address} is not associated.")
        _unlink(s, row)
        return before
