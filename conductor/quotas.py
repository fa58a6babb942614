"""Quotas (seed 5.1.2): limits per project, defaults per quota class, usage counted live.

Usage is counted from the rows themselves (as Nova does since Pike), so
nothing can drift; the count and the insert it guards share one transaction.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from conductor.db import api as db
from conductor.db.models import (Instance, InstanceGroup, KeyPair, Project, Quota,
                                  QuotaClass)
from conductor.rpcapi import ConductorAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

RESOURCES = ("instances", "cores", "ram", "key_pairs", "metadata_items", "server_groups",
             "server_group_members", "injected_files", "injected_file_content_bytes",
             "injected_file_path_bytes", "floating_ips", "fixed_ips", "networks",
             "security_groups", "security_group_rules")
DEFAULT_CLASS = "default"


def class_limits(session: sa.orm.Session, class_name: str = DEFAULT_CLASS) -> dict[str, int]:
    limits = {r: getattr(CONF.quota, r) for r in RESOURCES}
    rows = session.scalars(sa.select(QuotaClass).where(QuotaClass.class_name == class_name))
    limits.update({r.resource: r.hard_limit for r in rows if r.resource in limits})
    return limits


def project_limits(session: sa.orm.Session, project_id: str) -> dict[str, int]:
    limits = class_limits(session)
    rows = session.scalars(sa.select(Quota).where(Quota.project_id == project_id))
    limits.update({r.resource: r.hard_limit for r in rows if r.resource in limits})
    return limits


def project_usage(session: sa.orm.Session, project_id: str,
                  user_id: str | None = None) -> dict[str, int]:
    instances, cores, ram = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Instance.vcpus), 0),
                  sa.func.coalesce(sa.func.sum(Instance.memory_mb), 0))
        .where(Instance.project_id == project_id, Instance.deleted == 0)).one()
    usage = {r: 0 for r in RESOURCES}
    usage.update(instances=int(instances), cores=int(cores), ram=int(ram))
    usage["server_groups"] = int(session.scalar(
        sa.select(sa.func.count()).select_from(InstanceGroup)
        .where(InstanceGroup.project_id == project_id)) or 0)
    if user_id:
        usage["key_pairs"] = int(session.scalar(
            sa.select(sa.func.count()).select_from(KeyPair)
            .where(KeyPair.user_id == user_id)) or 0)
    return usage


def check(limits: dict[str, int], usage: dict[str, int], deltas: dict[str, int]) -> None:
    """Raise QuotaExceeded naming the first resource `deltas` would exceed."""
    for resource, requested in deltas.items():
        limit = limits[resource]
        if limit >= 0 and usage[resource] + requested > limit:
            raise exception.QuotaExceeded(resource=resource, requested=requested,
                                          used=usage[resource], quota=limit)


def lock_project(session: sa.orm.Session, project_id: str) -> None:
    """Serialize quota-checked writes of one project on server databases.

    SQLite writers are already serialized by the conductor's write lock.
    """
    if session.bind.dialect.name == "sqlite":
        return
    # The project's row, which always exists (a quota row exists only once an admin set
    # one, and locking a missing row locks nothing). It must be the transaction's first
    # read, so the counts that follow see every write committed before the lock.
    session.execute(sa.select(Project.id).where(Project.id == project_id).with_for_update())


def _validate(values: dict[str, Any]) -> dict[str, int]:
    clean = {}
    for key, value in values.items():
        if key not in RESOURCES:
            raise exception.Invalid(reason=f"Unknown quota resource {key}.")
        clean[key] = int(value)
    return clean


class QuotaEndpoint:
    target = endpoint_target(ConductorAPI)

    def quota_get(self, ctx: RequestContext, project_id: str | None = None,
                  defaults: bool = False) -> dict[str, int]:
        with db.reader() as s:
            if defaults or project_id is None:
                return class_limits(s)
            return project_limits(s, project_id)

    def quota_update(self, ctx: RequestContext, project_id: str, values: dict[str, Any],
                     force: bool = False) -> dict[str, int]:
        values = _validate(values)
        with db.writer() as s:
            if not force:
                usage = project_usage(s, project_id)
                for resource, limit in values.items():
                    if 0 <= limit < usage[resource]:
                        raise exception.Invalid(
                            reason=f"Quota limit {limit} for {resource} must be greater "
                                   f"than or equal to already used and reserved "
                                   f"{usage[resource]}.")
            for resource, limit in values.items():
                row = s.get(Quota, (project_id, resource))
                if row is None:
                    s.add(Quota(project_id=project_id, resource=resource, hard_limit=limit))
                else:
                    row.hard_limit = limit
            s.flush()
            return project_limits(s, project_id)

    def quota_delete(self, ctx: RequestContext, project_id: str) -> None:
        with db.writer() as s:
            s.execute(sa.delete(Quota).where(Quota.project_id == project_id))

    def quota_class_get(self, ctx: RequestContext, class_name: str) -> dict[str, int]:
        with db.reader() as s:
            return class_limits(s, class_name)

    def quota_class_update(self, ctx: RequestContext, class_name: str,
                           values: dict[str, Any]) -> dict[str, int]:
        values = _validate(values)
        with db.writer() as s:
            for resource, limit in values.items():
                row = s.get(QuotaClass, (class_name, resource))
                if row is None:
                    s.add(QuotaClass(class_name=class_name, resource=resource,
                                     hard_limit=limit))
                else:
                    row.hard_limit = limit
            s.flush()
            return class_limits(s, class_name)

    def quota_usage(self, ctx: RequestContext, project_id: str,
                    user_id: str | None = None) -> dict[str, dict[str, int]]:
        """Limits and use side by side: {resource: {"limit": L, "in_use": U}}."""
        with db.reader() as s:
            limits = project_limits(s, project_id)
            usage = project_usage(s, project_id, user_id)
        return {r: {"limit": limits[r], "in_use": usage[r], "reserved": 0} for r in RESOURCES}
