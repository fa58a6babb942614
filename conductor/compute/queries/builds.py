"""SQL of builds: the rows of a boot request created under quota, a failed build sent
back to scheduling, a build ended in ERROR, and the builds that stopped making progress
(for the build watchdog)."""
from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from conductor.compute.models import Instance
from conductor.compute.queries import quotas, server_groups, tags
from conductor.compute.queries.actions import record_action, record_event
from conductor.compute.queries.instances import (add_fault, cas_update, instance_dicts,
                                                 instance_row)
from conductor.db import api as db
from conductor.db.base import utcnow
from conductor.network.queries import security_groups
from stratus import exception
from stratus.context import RequestContext
from stratus.objects import states
from stratus.objects.request_spec import RequestSpec

RowsFor = Callable[[dict[str, int], dict[str, int]], list[dict[str, Any]]]


def create_instances(ctx: RequestContext, project_id: str, rows_for: RowsFor,
                     group_uuid: str | None = None,
                     security_group_names: list[str] | None = None) -> list[dict[str, Any]]:
    """Insert the instances rows_for(limits, usage) returns for the project, whose quota
    is locked meanwhile; join them to the server group and to the project's security
    groups `security_group_names` (NotFound for an unknown one: nothing is written); log
    their create actions."""
    with db.writer() as s:
        quotas.lock_project(s, project_id)
        names = security_group_names or []
        security_groups.check_names(s, project_id, names)
        values = rows_for(quotas.project_limits(s, project_id),
                          quotas.project_usage(s, project_id))
        rows = [Instance(**v) for v in values]
        s.add_all(rows)
        s.flush()
        if group_uuid:
            server_groups.add_members(s, group_uuid, project_id, [r.uuid for r in rows])
        if names:
            security_groups.associate_at_create(s, project_id, ctx.user_id,
                                                [r.uuid for r in rows], names)
        for row in rows:
            tags.write_tags(s, row.uuid, list(row.tags or []))
            record_action(s, ctx, row.uuid, "create")
        return instance_dicts(s, rows)


def return_to_scheduling(ctx: RequestContext, instance_uuid: str, host: str,
                         reason: str) -> RequestSpec | None:
    """Take the failed build off `host` (now one of its spec's retry_hosts) and back to
    SCHEDULING, the failure logged; its request spec, or None while it is deleted."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid)
        if row.task_state == states.DELETING:
            return None
        spec = RequestSpec.model_validate(row.request_spec)
        spec.retry_hosts = [*spec.retry_hosts, host]
        cas_update(s, row, {"host": None, "node": None, "task_state": states.SCHEDULING,
                            "request_spec": spec.model_dump(mode="json")})
        record_event(s, ctx, instance_uuid, "compute__do_build_and_run_instance",
                     error=reason, host=host)
        return spec


def set_error(instance_uuid: str, code: int, message: str, details: str = "",
              ctx: RequestContext | None = None) -> None:
    """ERROR with a fault, unless the instance is gone or being deleted; `details` (admins
    only) also go into the request's action event when `ctx` is given."""
    with db.writer() as s:
        try:
            row = instance_row(s, instance_uuid)
        except exception.InstanceNotFound:
            return
        if row.task_state == states.DELETING:
            return
        cas_update(s, row, {"vm_state": states.ERROR, "task_state": None,
                            "host": None, "node": None})
        add_fault(s, instance_uuid, code, message, details)
        if ctx is not None:
            record_event(s, ctx, instance_uuid, "conductor_schedule_and_build_instances",
                         error=details or message)


def stalled_builds(cutoff: datetime.datetime) -> list[str]:
    """Instances in BUILD, not being deleted, whose row has not changed since `cutoff`."""
    with db.reader() as s:
        return list(s.scalars(sa.select(Instance.uuid).where(
            Instance.vm_state == states.BUILDING, Instance.deleted == 0,
            sa.or_(Instance.task_state.is_(None), Instance.task_state != states.DELETING),
            Instance.updated_at < cutoff)))


def take_stalled_build(instance_uuid: str, cutoff: datetime.datetime) -> tuple[
        dict[str, Any], RequestSpec, float] | None:
    """The build (instance, request spec, age in seconds) if it is still stalled and this
    conductor won it: the compare-and-swap on its row restarts its stall clock."""
    with db.writer() as s:
        try:
            row = instance_row(s, instance_uuid)
        except exception.InstanceNotFound:
            return None
        if row.vm_state != states.BUILDING or row.updated_at >= cutoff:
            return None
        age = (utcnow() - row.created_at).total_seconds()
        spec = RequestSpec.model_validate(row.request_spec)
        try:
            cas_update(s, row, {})  # ours for this round; its stall clock restarts
        except exception.Conflict:
            return None
        return instance_dicts(s, [row])[0], spec, age
