"""The instance action log: a user request on an instance (create, reboot, ...) and the
events that carried it out, as os-instance-actions shows them."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.models import InstanceAction, InstanceActionEvent
from conductor.db import api as db
from conductor.db.base import utcnow
from stratus import exception
from stratus.context import RequestContext


def record_action(session: Session, ctx: RequestContext, instance_uuid: str,
                  action: str) -> InstanceAction:
    row = InstanceAction(instance_uuid=instance_uuid, request_id=ctx.request_id, action=action,
                         user_id=ctx.user_id, project_id=ctx.project_id)
    session.add(row)
    return row


def record_event(session: Session, ctx: RequestContext, instance_uuid: str,
                 event: str, error: str | None = None, host: str | None = None) -> None:
    """Finish `event` of the caller's request; a request with no action gets none."""
    action = session.scalar(sa.select(InstanceAction).where(
        InstanceAction.instance_uuid == instance_uuid,
        InstanceAction.request_id == ctx.request_id).order_by(InstanceAction.id.desc()))
    if action is None:
        return
    now = utcnow()
    action.events.append(InstanceActionEvent(
        event=event, start_time=action.start_time, finish_time=now, host=host,
        result="Error" if error else "Success", traceback=error,
        details=error[:255] if error else None))
    action.finish_time = now
    if error:
        action.message = "Error"


def action_dict(row: InstanceAction, with_events: bool) -> dict[str, Any]:
    out = db.to_dict(row)
    if with_events:
        out["events"] = [db.to_dict(e) for e in row.events]
    return out


def _marker_id(session: Session, instance_uuid: str, request_id: str) -> int:
    found = session.scalar(sa.select(sa.func.max(InstanceAction.id)).where(
        InstanceAction.instance_uuid == instance_uuid,
        InstanceAction.request_id == request_id))
    if found is None:
        raise exception.Invalid(f"Marker {request_id} could not be found.")
    return int(found)


def actions(instance_uuid: str, limit: int | None = None, marker: str | None = None,
            changes_since: str | None = None,
            changes_before: str | None = None) -> list[dict[str, Any]]:
    """The instance's actions, newest first, without their events; `marker` is the
    request_id of the last action already seen."""
    with db.reader() as s:
        query = (sa.select(InstanceAction)
                 .where(InstanceAction.instance_uuid == instance_uuid)
                 .order_by(InstanceAction.id.desc()))
        if changes_since:
            query = query.where(InstanceAction.updated_at >= db.parse_time(changes_since))
        if changes_before:
            query = query.where(InstanceAction.updated_at <= db.parse_time(changes_before))
        if marker is not None:
            query = query.where(InstanceAction.id < _marker_id(s, instance_uuid, marker))
        if limit is not None:
            query = query.limit(limit)
        return [action_dict(r, with_events=False) for r in s.scalars(query)]


def action(instance_uuid: str, request_id: str) -> dict[str, Any] | None:
    """The action of request `request_id` on the instance, with its events."""
    with db.reader() as s:
        row = s.scalar(sa.select(InstanceAction).where(
            InstanceAction.instance_uuid == instance_uuid,
            InstanceAction.request_id == request_id))
        return None if row is None else action_dict(row, with_events=True)
