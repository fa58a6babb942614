"""SQL of unshelving an offloaded instance: marked UNSHELVING while a host is found for
it (the claim is placement.move_claim), unmarked when none takes it."""
from __future__ import annotations

from conductor.compute.queries.actions import record_action, record_event
from conductor.compute.queries.instances import (cas_update, expect_state,
                                                 instance_row, require_unlocked)
from conductor.db import api as db
from stratus.context import RequestContext
from stratus.objects import states
from stratus.objects.request_spec import RequestSpec


def begin_unshelve(ctx: RequestContext, instance_uuid: str, project_id: str | None,
                   availability_zone: str | None = None,
                   unpin: bool = False) -> RequestSpec:
    """The offloaded instance UNSHELVING, the action logged; its request spec, pinned to
    `availability_zone` if one is given, or to no zone with `unpin`."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid, project_id)
        expect_state(row, instance_uuid, "unshelve", "vm_state", [states.SHELVED_OFFLOADED])
        expect_state(row, instance_uuid, "unshelve", "task_state", [None])
        require_unlocked(row, ctx, instance_uuid)
        values: dict[str, object] = {"task_state": states.UNSHELVING}
        if availability_zone is not None or unpin:
            values["request_spec"] = {**row.request_spec,
                                      "availability_zone": availability_zone}
            values["pinned_availability_zone"] = availability_zone
        cas_update(s, row, values)
        record_action(s, ctx, instance_uuid, "unshelve")
        return RequestSpec.model_validate(row.request_spec)


def abort_unshelve(ctx: RequestContext, instance_uuid: str, error: str) -> None:
    """No host takes it: still offloaded, no task, the error logged."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid)
        cas_update(s, row, {"task_state": None})
        record_event(s, ctx, instance_uuid, "conductor_unshelve", error=error)
