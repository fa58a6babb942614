"""SQL of instance tags (2.26): the `tags` column of the instance (what views read) and
the instance_tags rows (what list filters match), always written together here."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.models import Instance, InstanceTag
from conductor.compute.queries.instances import cas_update, instance_row
from conductor.db import api as db
from stratus import exception
from stratus.context import RequestContext
from stratus.objects import states

MAX_TAGS = 50
# States in which a server's tags may change (Nova's).
TAGGABLE = (states.ACTIVE, states.PAUSED, states.SUSPENDED, states.STOPPED, states.SHELVED,
            states.SHELVED_OFFLOADED, states.BUILDING)


def write_tags(session: Session, uuid: str, tags: list[str]) -> None:
    """Make the instance's tag rows `tags` (its column is the caller's)."""
    session.execute(sa.delete(InstanceTag).where(InstanceTag.instance_uuid == uuid))
    if tags:
        session.add_all(InstanceTag(instance_uuid=uuid, tag=t) for t in tags)


def _taggable(session: Session, ctx: RequestContext, instance_uuid: str,
              project_id: str | None, action: str) -> Instance:
    row = instance_row(session, instance_uuid, project_id)
    if row.vm_state not in TAGGABLE:
        raise exception.InstanceInvalidState(action=action, instance_uuid=instance_uuid,
                                             attr="vm_state", state=row.vm_state)
    return row


def _save(session: Session, row: Instance, tags: list[str]) -> list[str]:
    if len(tags) > MAX_TAGS:
        raise exception.Invalid(f"The number of tags exceeded the per-server limit "
                                f"{MAX_TAGS}")
    cas_update(session, row, {"tags": tags})
    write_tags(session, row.uuid, tags)
    return tags


def replace_tags(ctx: RequestContext, instance_uuid: str, project_id: str | None,
                 tags: list[str]) -> list[str]:
    """The instance's tags become `tags` (without repeats); them."""
    with db.writer() as s:
        row = _taggable(s, ctx, instance_uuid, project_id, "update tags")
        return _save(s, row, list(dict.fromkeys(tags)))


def add_tag(ctx: RequestContext, instance_uuid: str, project_id: str | None,
            tag: str) -> bool:
    """Give the instance `tag`; whether it is new."""
    with db.writer() as s:
        row = _taggable(s, ctx, instance_uuid, project_id, "update tag")
        current = list(row.tags or [])
        if tag in current:
            return False
        _save(s, row, [*current, tag])
        return True


def remove_tag(ctx: RequestContext, instance_uuid: str, project_id: str | None,
               tag: str) -> None:
    """Take `tag` off the instance; NotFound when it has no such tag."""
    with db.writer() as s:
        row = _taggable(s, ctx, instance_uuid, project_id, "delete tag")
        current = list(row.tags or [])
        if tag not in current:
            raise exception.NotFound(f"Tag {tag} could not be found for instance "
                                     f"{instance_uuid}.")
        _save(s, row, [t for t in current if t != tag])
