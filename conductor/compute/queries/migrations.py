"""SQL of moves between nodes (resize, cold migration): the migration row from request
to confirm or revert, the resources it holds on the node the instance is not on, and the
instance row as it changes hands. Statuses as Nova's: pre-migrating, migrating,
post-migrating, finished (VERIFY_RESIZE), confirming, confirmed, reverting, reverted,
error."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.models import Flavor, Instance, Migration
from conductor.compute.queries import placement, quotas
from conductor.compute.queries.actions import record_action, record_event
from conductor.compute.queries.instances import (add_fault, cas_update, expect_state,
                                                 instance_dicts, instance_row,
                                                 require_unlocked)
from conductor.db import api as db
from stratus import exception
from stratus.context import RequestContext
from stratus.objects import states
from stratus.objects.flavor_columns import flavor_columns

# Statuses of a move that is not over.
OPEN = ("pre-migrating", "migrating", "post-migrating", "finished", "confirming",
        "reverting")
# Statuses after which the source still has the instance's disk to clean up.
SOURCE_KEEPS_DISK = ("post-migrating", "finished", "confirming")
MOVABLE = [states.ACTIVE, states.STOPPED]
# Checks the domain runs on the instance before a move starts, with the project's limits
# and usage (for quota).
MoveCheck = Callable[[dict[str, Any], dict[str, int], dict[str, int]], None]


def migration_dict(row: Migration) -> dict[str, Any]:
    return db.to_dict(row)


def _migration_row(session: Session, migration_id: int) -> Migration:
    row = session.get(Migration, migration_id)
    if row is None:
        raise exception.NotFound(f"Migration {migration_id} could not be found.")
    return row


def _flavor_row_id(session: Session, flavorid: str) -> int | None:
    return session.scalar(sa.select(Flavor.id).where(Flavor.flavorid == flavorid))


def _hold(row: Migration, node: str | None, flavor: dict[str, Any] | None) -> None:
    """`node` keeps what an instance of `flavor` takes (None: nothing is held)."""
    need = placement.need_of(flavor) if flavor else {"vcpus": 0, "memory_mb": 0,
                                                      "disk_gb": 0}
    row.held_node = node if flavor else None
    row.held_vcpus, row.held_memory_mb = need["vcpus"], need["memory_mb"]
    row.held_disk_gb = need["disk_gb"]


def _with_spec_flavor(row: Instance, flavor: dict[str, Any]) -> dict[str, Any]:
    """The instance's request spec with its flavor replaced (a later rebuild or
    evacuation schedules the flavor the instance has)."""
    return {**(row.request_spec or {}), "flavor": flavor}


# --- starting a move ---------------------------------------------------------------

def begin_move(ctx: RequestContext, instance_uuid: str, project_id: str | None,
               new_flavor: dict[str, Any] | None,
               check: MoveCheck) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Open the move of an idle ACTIVE or STOPPED instance to `new_flavor` (None: a cold
    migration, same flavor), once check(instance, limits, usage) passed: the instance
    RESIZE_PREP, the migration pre-migrating, the action logged. The instance, the
    migration and the instance's request spec."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid, project_id)
        quotas.lock_project(s, row.project_id)
        action = "resize" if new_flavor is not None else "migrate"
        expect_state(row, instance_uuid, action, "vm_state", MOVABLE)
        expect_state(row, instance_uuid, action, "task_state", [None])
        require_unlocked(row, ctx, instance_uuid)
        if row.host is None:
            raise exception.InstanceInvalidState(action=action, instance_uuid=instance_uuid,
                                                 attr="host", state="None")
        instance = instance_dicts(s, [row])[0]
        check(instance, quotas.project_limits(s, row.project_id),
              quotas.project_usage(s, row.project_id))
        flavor = new_flavor or row.flavor
        migration = Migration(
            uuid=str(uuid.uuid4()), instance_uuid=instance_uuid,
            migration_type="resize" if new_flavor is not None else "migration",
            status="pre-migrating", source_compute=row.host, source_node=row.node,
            old_instance_type_id=_flavor_row_id(s, row.flavorid),
            new_instance_type_id=_flavor_row_id(s, flavor["flavorid"]),
            old_flavor=row.flavor, new_flavor=flavor, old_vm_state=row.vm_state,
            user_id=ctx.user_id or row.user_id, project_id=row.project_id, hidden=False)
        _hold(migration, None, None)
        s.add(migration)
        cas_update(s, row, {"task_state": states.RESIZE_PREP})
        record_action(s, ctx, instance_uuid, action)
        s.flush()
        return instance_dicts(s, [row])[0], migration_dict(migration), dict(row.request_spec)


def claim_destination(migration_id: int, host: str, node: str) -> dict[str, Any]:
    """Hold the new flavor's resources on `node` if they fit (Conflict otherwise) and make
    it the migration's destination; the migration."""
    with db.writer() as s:
        row = _migration_row(s, migration_id)
        found = placement.reserve(s, row.instance_uuid, host, node,
                                  placement.need_of(row.new_flavor))
        row.dest_compute, row.dest_node = host, node
        row.dest_host = found.get("host_ip") or host
        _hold(row, node, row.new_flavor)
        s.flush()
        return migration_dict(row)


def abort_move(ctx: RequestContext, migration_id: int, error: str) -> None:
    """The move never started (no host took it): the instance idle where it was, the
    migration in error, the error logged."""
    with db.writer() as s:
        row = _migration_row(s, migration_id)
        row.status = "error"
        _hold(row, None, None)
        inst = instance_row(s, row.instance_uuid)
        if inst.task_state == states.RESIZE_PREP:
            cas_update(s, inst, {"task_state": None})
        record_event(s, ctx, row.instance_uuid, "conductor_migrate_server", error=error)


# --- the agents' steps ------------------------------------------------------------------

def _in_step(session: Session, migration_id: int,
             task_state: str) -> tuple[Migration, Instance] | None:
    """The migration and its live instance if the instance is in `task_state`; None when
    it went away or moved on meanwhile (a delete won)."""
    row = _migration_row(session, migration_id)
    try:
        inst = instance_row(session, row.instance_uuid)
    except exception.InstanceNotFound:
        return None
    return (row, inst) if inst.task_state == task_state else None


def advance(migration_id: int, status: str, task_state: str,
            expected_task_state: str) -> dict[str, Any] | None:
    """The next step of a move: the migration `status`, the instance `task_state`. The
    instance, or None when it left `expected_task_state` (deleted meanwhile)."""
    with db.writer() as s:
        found = _in_step(s, migration_id, expected_task_state)
        if found is None or found[0].status not in OPEN:
            return None
        row, inst = found
        row.status = status
        cas_update(s, inst, {"task_state": task_state})
        return instance_dicts(s, [inst])[0]


def land(ctx: RequestContext, migration_id: int, power_state: int) -> dict[str, Any] | None:
    """The instance runs on the destination with its new flavor: RESIZED (VERIFY_RESIZE)
    until confirmed or reverted, the migration finished, the source now holding the old
    flavor's resources. None when the instance went away meanwhile."""
    with db.writer() as s:
        found = _in_step(s, migration_id, states.RESIZE_FINISH)
        if found is None:
            return None
        row, inst = found
        zone = placement.zone_of(s, row.dest_compute)
        cas_update(s, inst, {
            **flavor_columns(row.new_flavor), "host": row.dest_compute,
            "node": row.dest_node, "availability_zone": zone,
            "request_spec": _with_spec_flavor(inst, row.new_flavor),
            "vm_state": states.RESIZED, "task_state": None, "power_state": power_state})
        row.status = "finished"
        _hold(row, row.source_node, row.old_flavor)
        record_event(s, ctx, row.instance_uuid, "compute_finish_resize",
                     host=row.dest_compute)
        return instance_dicts(s, [inst])[0]


def fail(ctx: RequestContext, migration_id: int, error: str, host: str,
         values: dict[str, Any]) -> None:
    """A step of the move failed on `host`: the migration in error, nothing held, the
    instance written `values` with no task, the fault recorded."""
    with db.writer() as s:
        row = _migration_row(s, migration_id)
        row.status = "error"
        _hold(row, None, None)
        try:
            inst = instance_row(s, row.instance_uuid)
        except exception.InstanceNotFound:
            return
        if inst.task_state == states.DELETING:
            return
        cas_update(s, inst, {**values, "task_state": None})
        add_fault(s, row.instance_uuid, 500, error[:255], details=error)
        record_event(s, ctx, row.instance_uuid, "compute_resize_instance", error, host)


# --- confirm and revert -------------------------------------------------------------

def _finished_move(session: Session, ctx: RequestContext, instance_uuid: str,
                   project_id: str | None, action: str) -> tuple[Instance, Migration]:
    inst = instance_row(session, instance_uuid, project_id)
    expect_state(inst, instance_uuid, action, "vm_state", [states.RESIZED])
    expect_state(inst, instance_uuid, action, "task_state", [None])
    require_unlocked(inst, ctx, instance_uuid)
    row = session.scalar(sa.select(Migration).where(
        Migration.instance_uuid == instance_uuid, Migration.status == "finished")
        .order_by(Migration.id.desc()))
    if row is None:
        raise exception.Invalid(f"Instance {instance_uuid} has not been resized.")
    return inst, row


def start_confirm(ctx: RequestContext, instance_uuid: str,
                  project_id: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Begin confirming a finished move: the migration confirming, the action logged.
    The instance and the migration."""
    with db.writer() as s:
        inst, row = _finished_move(s, ctx, instance_uuid, project_id, "confirmResize")
        row.status = "confirming"
        cas_update(s, inst, {})
        record_action(s, ctx, instance_uuid, "confirmResize")
        return instance_dicts(s, [inst])[0], migration_dict(row)


def confirmed(ctx: RequestContext, migration_id: int) -> None:
    """The source has let go of the instance: the migration confirmed, the source's
    resources free, the instance ACTIVE again (STOPPED if its guest is off). A move
    closed already (its instance deleted) stays as it is."""
    with db.writer() as s:
        row = _migration_row(s, migration_id)
        if row.status != "confirming":
            return
        row.status = "confirmed"
        _hold(row, None, None)
        inst = instance_row(s, row.instance_uuid)
        stopped = inst.power_state == states.SHUTDOWN
        cas_update(s, inst, {"vm_state": states.STOPPED if stopped else states.ACTIVE})
        record_event(s, ctx, row.instance_uuid, "compute_confirm_resize",
                     host=row.source_compute)


def start_revert(ctx: RequestContext, instance_uuid: str,
                 project_id: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Begin reverting a finished move: the instance RESIZE_REVERTING, the migration
    reverting, the action logged. The instance and the migration."""
    with db.writer() as s:
        inst, row = _finished_move(s, ctx, instance_uuid, project_id, "revertResize")
        row.status = "reverting"
        cas_update(s, inst, {"task_state": states.RESIZE_REVERTING})
        record_action(s, ctx, instance_uuid, "revertResize")
        return instance_dicts(s, [inst])[0], migration_dict(row)


def reverted(ctx: RequestContext, migration_id: int,
             power_state: int) -> dict[str, Any] | None:
    """The instance runs on its source again with its old flavor, as it was before the
    move; the migration reverted, the destination's resources free. None when the
    instance went away meanwhile."""
    with db.writer() as s:
        found = _in_step(s, migration_id, states.RESIZE_REVERTING)
        if found is None:
            return None
        row, inst = found
        cas_update(s, inst, {
            **flavor_columns(row.old_flavor), "host": row.source_compute,
            "node": row.source_node, "availability_zone": placement.zone_of(
                s, row.source_compute),
            "request_spec": _with_spec_flavor(inst, row.old_flavor),
            "vm_state": row.old_vm_state, "task_state": None, "power_state": power_state})
        row.status = "reverted"
        _hold(row, None, None)
        record_event(s, ctx, row.instance_uuid, "compute_finish_revert_resize",
                     host=row.source_compute)
        return instance_dicts(s, [inst])[0]


def close_for_delete(session: Session, instance_uuid: str) -> list[dict[str, Any]]:
    """The instance is being deleted: its open moves end (a finished one confirmed, one
    in flight in error) and hold nothing. Those whose source still has its disk."""
    rows = session.scalars(sa.select(Migration).where(
        Migration.instance_uuid == instance_uuid, Migration.status.in_(OPEN))).all()
    cleanup = []
    for row in rows:
        if row.status in SOURCE_KEEPS_DISK:
            cleanup.append(migration_dict(row))
        row.status = "confirmed" if row.status in ("finished", "confirming") else "error"
        _hold(row, None, None)
    return cleanup


# --- reads ----------------------------------------------------------------------------

LIST_FILTERS = ("instance_uuid", "source_compute", "dest_compute", "migration_type",
                "user_id", "project_id")


def _filtered(query: sa.Select[Any], filters: dict[str, Any]) -> sa.Select[Any]:
    for key in LIST_FILTERS:
        if filters.get(key) is not None:
            query = query.where(getattr(Migration, key) == filters[key])
    if filters.get("status") is not None:
        wanted = filters["status"]
        query = query.where(Migration.status.in_(wanted if isinstance(wanted, list)
                                                 else [wanted]))
    if filters.get("host") is not None:
        query = query.where(sa.or_(Migration.source_compute == filters["host"],
                                   Migration.dest_compute == filters["host"]))
    if filters.get("hidden") is not None:
        query = query.where(Migration.hidden == bool(filters["hidden"]))
    if filters.get("changes-since"):
        query = query.where(Migration.updated_at >= db.parse_time(filters["changes-since"]))
    if filters.get("changes-before"):
        query = query.where(Migration.updated_at <= db.parse_time(filters["changes-before"]))
    return query


def migrations_matching(filters: dict[str, Any], limit: int | None = None,
                        marker: str | None = None) -> list[dict[str, Any]]:
    """Migrations matching `filters`, newest first; a page of them after the one whose
    uuid is `marker`."""
    with db.reader() as s:
        query = _filtered(sa.select(Migration), filters).order_by(
            Migration.created_at.desc(), Migration.id.desc())
        if marker is not None:
            after = s.scalar(sa.select(Migration).where(Migration.uuid == marker))
            if after is None:
                raise exception.Invalid(f"Marker {marker} could not be found.")
            query = query.where(sa.or_(
                Migration.created_at < after.created_at,
                sa.and_(Migration.created_at == after.created_at, Migration.id < after.id)))
        if limit is not None:
            query = query.limit(limit)
        return [migration_dict(r) for r in s.scalars(query)]
