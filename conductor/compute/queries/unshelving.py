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


def begin_unshelve(ctx: RequestContext, instance_uuid: str,
                   project_id: str | None) -> RequestSpec:
    """The offloaded instance UNSHELVING, the action logged; its request spec."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid, project_id)
        expect_state(row, instance_uuid, "unshelve", "vm_state", [states.SHELVED_OFFLOADED])
        expect_state(row, instance_uuid, "unshelve", "task_state", [None])
        require_unlocked(row, ctx, instance_uuid)
        cas_update(s, row, {"task_state": states.UNSHELVING})
        record_action(s, ctx, instance_uuid, "unshelve")
        return RequestSpec.model_validate(row.request_spec)


def abort_unshelve(ctx: RequestContext, instance_uuid: str, error: str) -> None:
    """No host takes it: still offloaded, no task, the error logged."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid)
        cas_update(s, row, {"task_state": None})
        record_event(s, ctx, instance_uuid, "conductor_unshelve", error=error)
