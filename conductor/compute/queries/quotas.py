"""Quota limits per project and per quota class, and usage counted live from the rows
themselves (as Nova does since Pike), so nothing can drift: the count and the insert it
guards share one transaction."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.limits import DEFAULT_CLASS, RESOURCES
from conductor.compute.models import (Instance, InstanceGroup, KeyPair, Migration, Quota,
                                      QuotaClass)
from conductor.db import api as db
from conductor.identity import queries as identity
from conductor.network.models import FixedIp, FloatingIp, SecurityGroup
from stratus.config import CONF

UsageCheck = Callable[[dict[str, int]], None]


# --- on an open session ----------------------------------------------------------

def class_limits(session: Session, class_name: str = DEFAULT_CLASS) -> dict[str, int]:
    limits = {r: getattr(CONF.quota, r) for r in RESOURCES}
    rows = session.scalars(sa.select(QuotaClass).where(QuotaClass.class_name == class_name))
    limits.update({r.resource: r.hard_limit for r in rows if r.resource in limits})
    return limits


def project_limits(session: Session, project_id: str) -> dict[str, int]:
    limits = class_limits(session)
    rows = session.scalars(sa.select(Quota).where(Quota.project_id == project_id))
    limits.update({r.resource: r.hard_limit for r in rows if r.resource in limits})
    return limits


def project_usage(session: Session, project_id: str,
                  user_id: str | None = None) -> dict[str, int]:
    instances, cores, ram = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Instance.vcpus), 0),
                  sa.func.coalesce(sa.func.sum(Instance.memory_mb), 0))
        .where(Instance.project_id == project_id, Instance.deleted == 0)).one()
    more_cores, more_ram = _resizing_extra(session, project_id)
    usage = {r: 0 for r in RESOURCES}
    usage.update(instances=int(instances), cores=int(cores) + more_cores,
                 ram=int(ram) + more_ram)
    usage["server_groups"] = int(session.scalar(
        sa.select(sa.func.count()).select_from(InstanceGroup)
        .where(InstanceGroup.project_id == project_id)) or 0)
    # A project's security groups (its `default` one included); security_group_rules
    # are limited per group, so their project usage shows 0, as in Nova.
    usage["security_groups"] = security_group_count(session, project_id)
    usage["floating_ips"] = floating_ip_count(session, project_id)
    usage["fixed_ips"] = fixed_ip_count(session, project_id)
    if user_id:
        usage["key_pairs"] = int(session.scalar(
            sa.select(sa.func.count()).select_from(KeyPair)
            .where(KeyPair.user_id == user_id)) or 0)
    return usage


def floating_ip_count(session: Session, project_id: str) -> int:
    """The floating IPs allocated to the project."""
    return int(session.scalar(
        sa.select(sa.func.count()).select_from(FloatingIp)
        .where(FloatingIp.project_id == project_id)) or 0)


def fixed_ip_count(session: Session, project_id: str) -> int:
    """The fixed IPs of the project's live servers."""
    return int(session.scalar(
        sa.select(sa.func.count()).select_from(FixedIp)
        .join(Instance, Instance.uuid == FixedIp.instance_uuid)
        .where(Instance.project_id == project_id, Instance.deleted == 0)) or 0)


def security_group_count(session: Session, project_id: str) -> int:
    """The project's live security groups (its `default` one included)."""
    return int(session.scalar(
        sa.select(sa.func.count()).select_from(SecurityGroup)
        .where(SecurityGroup.project_id == project_id, SecurityGroup.deleted == 0)) or 0)


def _resizing_extra(session: Session, project_id: str) -> tuple[int, int]:
    """The cores and RAM the project's open resizes hold beyond their instances' current
    flavors: a resizing instance counts the larger of its old and new flavor."""
    extra_cores = sa.case((Migration.held_vcpus > Instance.vcpus,
                           Migration.held_vcpus - Instance.vcpus), else_=0)
    extra_ram = sa.case((Migration.held_memory_mb > Instance.memory_mb,
                         Migration.held_memory_mb - Instance.memory_mb), else_=0)
    cores, ram = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(extra_cores), 0),
                  sa.func.coalesce(sa.func.sum(extra_ram), 0))
        .join(Instance, Instance.uuid == Migration.instance_uuid)
        .where(Migration.project_id == project_id, Migration.held_node.is_not(None),
               Instance.deleted == 0)).one()
    return int(cores), int(ram)


def lock_project(session: Session, project_id: str) -> None:
    """Serialize quota-checked writes of one project on server databases.

    SQLite writers are already serialized by the conductor's write lock.
    """
    if session.bind.dialect.name == "sqlite":
        return
    # The project's row, which always exists (a quota row exists only once an admin set
    # one, and locking a missing row locks nothing). It must be the transaction's first
    # read, so the counts that follow see every write committed before the lock.
    identity.lock_project(session, project_id)


# --- transactions -------------------------------------------------------------------

def limits_of_class(class_name: str = DEFAULT_CLASS) -> dict[str, int]:
    with db.reader() as s:
        return class_limits(s, class_name)


def limits_of_project(project_id: str) -> dict[str, int]:
    with db.reader() as s:
        return project_limits(s, project_id)


def limits_and_usage(project_id: str,
                     user_id: str | None = None) -> tuple[dict[str, int], dict[str, int]]:
    with db.reader() as s:
        return project_limits(s, project_id), project_usage(s, project_id, user_id)


def set_project_limits(project_id: str, values: dict[str, int],
                       check: UsageCheck | None = None) -> dict[str, int]:
    """Write the project's limits, after `check` passed on its usage; its limits now."""
    with db.writer() as s:
        if check is not None:
            check(project_usage(s, project_id))
        for resource, limit in values.items():
            row = s.get(Quota, (project_id, resource))
            if row is None:
                s.add(Quota(project_id=project_id, resource=resource, hard_limit=limit))
            else:
                row.hard_limit = limit
        s.flush()
        return project_limits(s, project_id)


def delete_project_limits(project_id: str) -> None:
    with db.writer() as s:
        s.execute(sa.delete(Quota).where(Quota.project_id == project_id))


def set_class_limits(class_name: str, values: dict[str, int]) -> dict[str, int]:
    with db.writer() as s:
        for resource, limit in values.items():
            row = s.get(QuotaClass, (class_name, resource))
            if row is None:
                s.add(QuotaClass(class_name=class_name, resource=resource, hard_limit=limit))
            else:
                row.hard_limit = limit
        s.flush()
        return class_limits(s, class_name)
