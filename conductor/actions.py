"""Instance actions: a user request on an instance, with the events that carried it out.

`instance_action_start` moves the instance into the action's task_state and records the
action in one transaction; `instance_action_finish` writes the outcome and its event.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from conductor.db import api as db
from conductor.action_log import action_dict, record_action, record_event
from conductor.db.models import InstanceAction
from conductor.instances import cas_update, get_row, instance_dicts, record_fault
from conductor.rpcapi import ConductorAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


def _marker_id(session: sa.orm.Session, instance_uuid: str, request_id: str) -> int:
    found = session.scalar(sa.select(sa.func.max(InstanceAction.id)).where(
        InstanceAction.instance_uuid == instance_uuid,
        InstanceAction.request_id == request_id))
    if found is None:
        raise exception.Invalid(f"Marker {request_id} could not be found.")
    return int(found)


class ActionEndpoint:
    target = endpoint_target(ConductorAPI)

    def instance_action_start(self, ctx: RequestContext, instance_uuid: str, action: str,
                              task_state: str, vm_states: list[str],
                              task_states: list[str | None] | None = None,
                              project_id: str | None = None,
                              values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Begin `action` if the instance is in one of `vm_states` (and `task_states`),
        writing `values` with the new task_state."""
        with db.writer() as s:
            row = get_row(s, instance_uuid, project_id)
            allowed_tasks = task_states if task_states is not None else [None]
            if row.vm_state not in vm_states:
                raise exception.InstanceInvalidState(
                    action=action, instance_uuid=instance_uuid, attr="vm_state",
                    state=row.vm_state)
            if row.task_state not in allowed_tasks:
                raise exception.InstanceInvalidState(
                    action=action, instance_uuid=instance_uuid, attr="task_state",
                    state=row.task_state)
            if row.locked and not ctx.is_admin:
                raise exception.Conflict(reason=f"Instance {instance_uuid} is locked")
            cas_update(s, row, {**(values or {}), "task_state": task_state})
            record_action(s, ctx, instance_uuid, action)
            return instance_dicts(s, [row])[0]

    def instance_action_finish(self, ctx: RequestContext, instance_uuid: str, event: str,
                               values: dict[str, Any], expected_task_state: str | None,
                               host: str | None = None,
                               error: str | None = None) -> dict[str, Any] | None:
        """Write an action's outcome; None when the instance went away meanwhile."""
        with db.writer() as s:
            try:
                row = get_row(s, instance_uuid)
            except exception.InstanceNotFound:
                return None
            if row.task_state != expected_task_state:
                return None  # e.g. deleted while the action ran
            cas_update(s, row, values)
            record_event(s, ctx, instance_uuid, event, error, host)
            if error:
                record_fault(s, instance_uuid, 500, error[:255], details=error)
            return instance_dicts(s, [row])[0]

    def instance_action_list(self, ctx: RequestContext, instance_uuid: str,
                             project_id: str | None = None, limit: int | None = None,
                             marker: str | None = None,
                             changes_since: str | None = None) -> list[dict[str, Any]]:
        """Newest first; `marker` is the request_id of the last action already seen."""
        with db.reader() as s:
            get_row(s, instance_uuid, project_id, read_deleted=True)
            query = (sa.select(InstanceAction)
                     .where(InstanceAction.instance_uuid == instance_uuid)
                     .order_by(InstanceAction.id.desc()))
            if changes_since:
                query = query.where(InstanceAction.updated_at >= db.parse_time(changes_since))
            if marker is not None:
                query = query.where(InstanceAction.id < _marker_id(s, instance_uuid, marker))
            if limit is not None:
                query = query.limit(limit)
            return [action_dict(r, with_events=False) for r in s.scalars(query)]

    def instance_action_get(self, ctx: RequestContext, instance_uuid: str, request_id: str,
                            project_id: str | None = None) -> dict[str, Any]:
        with db.reader() as s:
            get_row(s, instance_uuid, project_id, read_deleted=True)
            row = s.scalar(sa.select(InstanceAction).where(
                InstanceAction.instance_uuid == instance_uuid,
                InstanceAction.request_id == request_id))
            if row is None:
                raise exception.NotFound(f"Action for request_id {request_id} on instance "
                                         f"{instance_uuid} not found")
            return action_dict(row, with_events=True)
