"""Writing instance actions and their events (shared by every conductor endpoint)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from conductor.db import api as db
from conductor.db.models import InstanceAction, InstanceActionEvent, utcnow
from stratus.context import RequestContext


def record_action(session: sa.orm.Session, ctx: RequestContext, instance_uuid: str,
                  action: str) -> InstanceAction:
    row = InstanceAction(instance_uuid=instance_uuid, request_id=ctx.request_id, action=action,
                         user_id=ctx.user_id, project_id=ctx.project_id)
    session.add(row)
    return row


def record_event(session: sa.orm.Session, ctx: RequestContext, instance_uuid: str,
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
        result="Error" if error else "Success", traceback=error))
    action.finish_time = now
    if error:
        action.message = "Error"


def action_dict(row: InstanceAction, with_events: bool) -> dict[str, Any]:
    out = db.to_dict(row)
    if with_events:
        out["events"] = [db.to_dict(e) for e in row.events]
    return out
