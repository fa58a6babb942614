"""SQL of evacuations: an instance marked REBUILDING for its move off a host that went
down, and unmarked when no other host takes it (the claim is placement.move_claim)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conductor.compute.queries.actions import record_action, record_event
from conductor.compute.queries.instances import cas_update, instance_row
from conductor.db import api as db
from conductor.hosts import queries as hosts
from stratus.context import RequestContext
from stratus.objects import states
from stratus.objects.request_spec import RequestSpec

EvacuationCheck = Callable[[dict[str, Any], dict[str, Any] | None], None]


def begin_evacuation(ctx: RequestContext, instance_uuid: str,
                     check: EvacuationCheck) -> tuple[str | None, RequestSpec]:
    """Once check(instance, compute service of its host or None) passed: the instance
    REBUILDING, the action logged. Its host and its request spec."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid)
        service = None if row.host is None else hosts.compute_service(s, row.host)
        check(db.to_dict(row, skip=("request_spec",)), service)
        cas_update(s, row, {"task_state": states.REBUILDING})
        record_action(s, ctx, instance_uuid, "evacuate")
        return row.host, RequestSpec.model_validate(row.request_spec)


def abort_evacuation(ctx: RequestContext, instance_uuid: str, error: str) -> None:
    """The evacuation failed: no task on the instance, the error logged."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid)
        cas_update(s, row, {"task_state": None})
        record_event(s, ctx, instance_uuid, "conductor_evacuate", error=error)
