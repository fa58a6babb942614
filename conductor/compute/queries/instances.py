"""SQL of instances: their rows as the APIs see them (with the latest fault), listings,
and the state changes of live instances. Every write is a compare-and-swap on the row's
version, so concurrent writers cannot lose each other's changes."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.models import Instance, InstanceFault, InstanceTag
from conductor.compute.queries import quotas, server_groups
from conductor.compute.queries.actions import record_action, record_event
from conductor.db import api as db
from conductor.db.base import utcnow
from conductor.hosts import queries as hosts
from conductor.network.queries import networks as network
from conductor.network.queries import security_groups
from stratus import exception
from stratus.context import RequestContext
from stratus.objects import states

SORT_KEYS = {"created_at", "updated_at", "display_name", "name", "uuid", "vm_state",
             "task_state", "power_state", "host", "node", "launched_at", "terminated_at",
             "project_id", "user_id", "image_ref", "availability_zone", "key_name",
             "hostname", "launch_index", "locked"}
TIME_COLUMNS = ("launched_at", "terminated_at", "deleted_at")
# Never in instance dicts (request_spec: large and internal; the passwords: for the
# metadata service and os-server-password only).
SECRET_COLUMNS = ("request_spec", "admin_pass", "server_password")
# Listings read plain rows, not ORM objects (no identity map, no request_spec blob): a
# 1,000-server listing costs the conductor a fraction of the time and memory.
LISTED_COLUMNS = [c for c in Instance.__table__.c
                  if c.key not in SECRET_COLUMNS]


# --- rows as dicts ------------------------------------------------------------

def _fault_dict(fault: InstanceFault) -> dict[str, Any]:
    return {"code": fault.code, "message": fault.message, "details": fault.details,
            "created": db.json_safe(fault.created_at)}


def _latest_faults(session: Session, uuids: list[str]) -> dict[str, dict[str, Any]]:
    if not uuids:
        return {}
    rows = session.scalars(sa.select(InstanceFault)
                           .where(InstanceFault.instance_uuid.in_(uuids))
                           .order_by(InstanceFault.id))
    return {f.instance_uuid: _fault_dict(f) for f in rows}


def _with_faults(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Instances as the API sees them: metadata under its name, the latest fault of those
    in ERROR (one query for all), and the names of their security groups.

    The group names are read here, one query for all the instances of a page, rather than
    kept in a copy column on the instance (as network_info is): a group can be renamed,
    and a copy would then have to be rewritten on every member; the association table is
    indexed by instance, so a 1,000-server page costs one indexed join."""
    faults = _latest_faults(session, [i["uuid"] for i in items
                                      if i["vm_state"] == states.ERROR])
    groups = security_groups.names_for_instances(
        session, [i["uuid"] for i in items if not i.get("deleted")])
    for item in items:
        item["metadata"] = item.pop("metadata_items") or {}
        item["fault"] = faults.get(item["uuid"])
        item["security_groups"] = groups.get(item["uuid"], [])
    return items


def instance_dicts(session: Session, rows: list[Instance]) -> list[dict[str, Any]]:
    return _with_faults(session, [db.to_dict(r, skip=SECRET_COLUMNS)
                                  for r in rows])


# --- on an open session ----------------------------------------------------------

def instance_row(session: Session, instance_uuid: str, project_id: str | None = None,
                 read_deleted: bool = False) -> Instance:
    query = sa.select(Instance).where(Instance.uuid == instance_uuid)
    if not read_deleted:
        query = query.where(Instance.deleted == 0)
    if project_id is not None:
        query = query.where(Instance.project_id == project_id)
    row = session.scalar(query)
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return row


def cas_update(session: Session, row: Instance, values: dict[str, Any]) -> None:
    """Write `values` only if nobody changed the row since we read it."""
    values = {k: (db.parse_time(v) if k in TIME_COLUMNS and isinstance(v, str) else v)
              for k, v in values.items()}
    result = session.execute(
        sa.update(Instance)
        .where(Instance.id == row.id, Instance.version == row.version)
        .values(**values, version=row.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise exception.Conflict(
            reason=f"Instance {row.uuid} was changed concurrently; try again.")
    session.refresh(row)


def add_fault(session: Session, instance_uuid: str, code: int, message: str,
              details: str = "") -> None:
    session.add(InstanceFault(instance_uuid=instance_uuid, code=code,
                              message=message[:2000], details=details))


def soft_delete(session: Session, row: Instance) -> None:
    """The instance is gone: marked deleted, out of its server group."""
    server_groups.remove_member(session, row.uuid)
    # The network domain's rows go with the instance, in its transaction: an address is
    # never left allocated to a deleted server.
    network.release_for_instance(session, row.uuid)
    security_groups.release_for_instance(session, row.uuid)
    session.execute(sa.delete(InstanceTag).where(InstanceTag.instance_uuid == row.uuid))
    now = utcnow()
    cas_update(session, row, {"deleted": row.id, "deleted_at": now, "terminated_at": now,
                              "vm_state": states.DELETED, "task_state": None,
                              "power_state": states.NOSTATE})


def expect_state(row: Instance, instance_uuid: str, action: str, attr: str,
                 allowed: list[Any] | None) -> None:
    """InstanceInvalidState unless the row's `attr` is one of `allowed` (None: any)."""
    state = getattr(row, attr)
    if allowed is not None and state not in allowed:
        raise exception.InstanceInvalidState(action=action, instance_uuid=instance_uuid,
                                             attr=attr, state=state)


def require_unlocked(row: Instance, ctx: RequestContext, instance_uuid: str) -> None:
    if row.locked and not ctx.is_admin:
        raise exception.InstanceIsLocked(instance_uuid=instance_uuid)


# --- reads ---------------------------------------------------------------------------

def instance(instance_uuid: str, project_id: str | None = None,
             read_deleted: bool = False) -> dict[str, Any]:
    with db.reader() as s:
        return instance_dicts(s, [instance_row(s, instance_uuid, project_id,
                                               read_deleted)])[0]


def require_instance(instance_uuid: str, project_id: str | None = None,
                     read_deleted: bool = False) -> None:
    """InstanceNotFound unless the instance exists (in the project, if one is given)."""
    with db.reader() as s:
        instance_row(s, instance_uuid, project_id, read_deleted)


def instances_matching(filters: dict[str, Any], sort_key: str, sort_dir: str,
                       limit: int | None, marker: str | None) -> list[dict[str, Any]]:
    """A page of the instances matching `filters`, sorted then by id, after the instance
    `marker` (one the filters' project may list)."""
    with db.reader() as s:
        query = _filtered(sa.select(*LISTED_COLUMNS), filters)
        column = getattr(Instance, _sort_column(sort_key))
        descending = sort_dir == "desc"
        if marker is not None:
            # Only a server the caller may list is a marker: another project's
            # uuid is as unknown as a random one.
            anchor = s.scalar(sa.select(Instance).where(
                Instance.uuid == marker, *_marker_scope(filters)))
            if anchor is None:
                raise exception.Invalid(reason=f"marker [{marker}] not found")
            query = query.where(_after(column, descending, getattr(anchor, column.key),
                                       anchor.id))
        order = [column.desc(), Instance.id.desc()] if descending else \
            [column.asc(), Instance.id.asc()]
        query = query.order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        return _with_faults(s, [{k: db.json_safe(v) for k, v in row.items()}
                                for row in s.execute(query).mappings()])


def _sort_column(key: str) -> str:
    key = {"display_name": "name"}.get(key, key)
    return key if key in SORT_KEYS else "created_at"


def _after(column: Any, descending: bool, value: Any, row_id: int) -> Any:
    if descending:
        return sa.or_(column < value, sa.and_(column == value, Instance.id < row_id))
    return sa.or_(column > value, sa.and_(column == value, Instance.id > row_id))


def _marker_scope(filters: dict[str, Any]) -> list[Any]:
    project = filters.get("project_id")
    return [] if project is None else [Instance.project_id == project]


def _tag_filters(filters: dict[str, Any]) -> list[Any]:
    """Conditions of the tags, tags-any, not-tags and not-tags-any list filters (each a
    list of tags): all of, any of, not all of, none of."""
    def has(tag: str) -> Any:
        return sa.exists().where(InstanceTag.instance_uuid == Instance.uuid,
                                 InstanceTag.tag == tag)

    def has_any(tags: list[str]) -> Any:
        return sa.exists().where(InstanceTag.instance_uuid == Instance.uuid,
                                 InstanceTag.tag.in_(tags))
    conditions = []
    if filters.get("tags"):
        conditions.append(sa.and_(*[has(t) for t in filters["tags"]]))
    if filters.get("tags_any"):
        conditions.append(has_any(filters["tags_any"]))
    if filters.get("not_tags"):
        conditions.append(sa.not_(sa.and_(*[has(t) for t in filters["not_tags"]])))
    if filters.get("not_tags_any"):
        conditions.append(sa.not_(has_any(filters["not_tags_any"])))
    return conditions


def _filtered(query: sa.Select[Any], filters: dict[str, Any]) -> sa.Select[Any]:
    deleted = filters.get("deleted")
    if deleted is None and not filters.get("changes_since"):
        query = query.where(Instance.deleted == 0)
    elif deleted is not None:
        query = query.where(Instance.deleted != 0 if deleted else Instance.deleted == 0)
    exact = {"project_id": Instance.project_id, "user_id": Instance.user_id,
             "host": Instance.host, "node": Instance.node, "image_ref": Instance.image_ref,
             "flavorid": Instance.flavorid, "key_name": Instance.key_name,
             "availability_zone": Instance.availability_zone,
             "reservation_id": Instance.reservation_id, "task_state": Instance.task_state,
             "locked": Instance.locked, "power_state": Instance.power_state,
             "config_drive": Instance.config_drive}
    for key, column in exact.items():
        if filters.get(key) is not None:
            query = query.where(column == filters[key])
    if filters.get("vm_state") is not None:
        query = query.where(Instance.vm_state.in_(filters["vm_state"]))
    for key in ("created_at", "launched_at", "terminated_at"):
        if filters.get(key):
            query = query.where(getattr(Instance, key) == db.parse_time(filters[key]))
    if filters.get("progress") is not None:
        # Nova's progress is 100 once a server is ACTIVE and 0 before; there is no column.
        active = Instance.vm_state == states.ACTIVE
        query = query.where(active if filters["progress"] == 100 else sa.not_(active))
    for condition in _tag_filters(filters):
        query = query.where(condition)
    if filters.get("uuids") is not None:
        query = query.where(Instance.uuid.in_(filters["uuids"]))
    if filters.get("name"):
        query = query.where(Instance.name.regexp_match(filters["name"]))
    if filters.get("changes_since"):
        query = query.where(Instance.updated_at >= db.parse_time(filters["changes_since"]))
    if filters.get("changes_before"):
        query = query.where(Instance.updated_at <= db.parse_time(filters["changes_before"]))
    return query


# --- writes ----------------------------------------------------------------------------

def update_instance(instance_uuid: str, values: dict[str, Any],
                    task_states: list[str | None] | None = None,
                    vm_states: list[str] | None = None) -> dict[str, Any]:
    """Write `values` to the live instance, only from those task and vm states (None:
    any)."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid)
        expect_state(row, instance_uuid, "update", "task_state", task_states)
        expect_state(row, instance_uuid, "update", "vm_state", vm_states)
        cas_update(s, row, values)
        return instance_dicts(s, [row])[0]


def update_metadata(instance_uuid: str, project_id: str | None,
                    merge: Callable[[dict[str, str], dict[str, int]], dict[str, str]]
                    ) -> dict[str, str]:
    """Make the instance's metadata merge(its metadata, its project's limits)."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid, project_id)
        metadata = merge(dict(row.metadata_items or {}),
                         quotas.project_limits(s, row.project_id))
        cas_update(s, row, {"metadata_items": metadata})
        return metadata


MoveCloser = Callable[[Session, str], list[dict[str, Any]]]


def start_delete(ctx: RequestContext, instance_uuid: str, project_id: str | None,
                 is_up: Callable[[dict[str, Any]], bool],
                 close_moves: MoveCloser) -> tuple[dict[str, Any], bool,
                                                   list[dict[str, Any]]]:
    """Mark the instance DELETING, end its open moves (close_moves) and log the action.
    The instance; whether a compute service that `is_up` holds it and must remove the
    guest (else it is deleted at once); the moves whose source keeps a disk."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid, project_id)
        require_unlocked(row, ctx, instance_uuid)
        host = row.host
        cas_update(s, row, {"task_state": states.DELETING})
        record_action(s, ctx, instance_uuid, "delete")
        moves = close_moves(s, instance_uuid)
        service = None if host is None else hosts.compute_service(s, host)
        instance = instance_dicts(s, [row])[0]
        if service is None or not is_up(service):
            soft_delete(s, row)
            return instance, False, moves
        return instance, True, moves


def destroy(ctx: RequestContext, instance_uuid: str) -> str | None:
    """The guest is gone: so is the instance (if it still exists); the host it was on."""
    with db.writer() as s:
        try:
            row = instance_row(s, instance_uuid)
        except exception.InstanceNotFound:
            return None
        soft_delete(s, row)
        record_event(s, ctx, instance_uuid, "compute_terminate_instance", host=row.host)
        return row.host


def follow_guest(instance_uuid: str, host: str,
                 values_for: Callable[[str], dict[str, Any]]) -> None:
    """Write values_for(vm_state) to the instance if it is on `host`, no action runs on
    it and they change it."""
    with db.writer() as s:
        try:
            row = instance_row(s, instance_uuid)
        except exception.InstanceNotFound:
            return
        if row.host != host or row.task_state is not None:
            return
        values = values_for(row.vm_state)
        if any(getattr(row, k) != v for k, v in values.items()):
            cas_update(s, row, values)


# --- actions ---------------------------------------------------------------------------

def start_action(ctx: RequestContext, instance_uuid: str, action: str, task_state: str,
                 vm_states: list[str], task_states: list[str | None],
                 project_id: str | None, values: dict[str, Any]) -> dict[str, Any]:
    """Begin `action` if the instance is in one of `vm_states` and `task_states` and not
    locked: `values` and the new task_state written, the action logged."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid, project_id)
        expect_state(row, instance_uuid, action, "vm_state", vm_states)
        expect_state(row, instance_uuid, action, "task_state", task_states)
        require_unlocked(row, ctx, instance_uuid)
        cas_update(s, row, {**values, "task_state": task_state})
        record_action(s, ctx, instance_uuid, action)
        return instance_dicts(s, [row])[0]


def set_lock(ctx: RequestContext, instance_uuid: str, project_id: str | None,
             locked: bool, reason: str | None) -> dict[str, Any]:
    """Lock (by the owner or an admin, with a reason) or unlock the instance; the action
    logged. Locking what its owner already locked changes nothing (as Nova)."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid, project_id)
        by_owner = row.project_id == ctx.project_id
        if locked and row.locked and by_owner:
            return instance_dicts(s, [row])[0]
        values: dict[str, Any] = {"locked": locked, "locked_by": None, "locked_reason": None}
        if locked:
            values.update(locked_by="owner" if by_owner else "admin", locked_reason=reason)
        cas_update(s, row, values)
        record_action(s, ctx, instance_uuid, "lock" if locked else "unlock")
        return instance_dicts(s, [row])[0]


def pin_zone(instance_uuid: str, project_id: str | None,
             zone: str | None) -> dict[str, Any]:
    """2.104: pin the instance to the zone it runs in, or unpin it (None), in its row and
    its request spec (what later moves are scheduled by). Conflict for a zone it is not
    in, or for another zone while pinned (unpin first)."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid, project_id)
        pinned = row.pinned_availability_zone
        if zone is not None and zone != pinned:
            if zone != row.availability_zone:
                raise exception.Conflict(
                    reason=f"Instance {instance_uuid} is in availability zone "
                           f"{row.availability_zone}, not {zone}: it can only be pinned to "
                           f"the zone it is in.")
            if pinned is not None:
                raise exception.Conflict(
                    reason=f"Instance {instance_uuid} is pinned to availability zone "
                           f"{pinned}; unpin it (null) before pinning it to another.")
        if zone != pinned:
            cas_update(s, row, {"pinned_availability_zone": zone, "request_spec": {
                **(row.request_spec or {}), "availability_zone": zone}})
        return instance_dicts(s, [row])[0]


def reset_state(ctx: RequestContext, instance_uuid: str, vm_state: str) -> dict[str, Any]:
    """An admin sets the instance's vm_state and clears its task (os-resetState)."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid)
        cas_update(s, row, {"vm_state": vm_state, "task_state": None})
        record_action(s, ctx, instance_uuid, "resetState")
        return instance_dicts(s, [row])[0]


def finish_action(ctx: RequestContext, instance_uuid: str, event: str,
                  values: dict[str, Any], expected_task_state: str | None,
                  host: str | None, error: str | None) -> dict[str, Any] | None:
    """Write an action's outcome, its event and (on `error`) a fault; None when the
    instance went away or left `expected_task_state` meanwhile."""
    with db.writer() as s:
        try:
            row = instance_row(s, instance_uuid)
        except exception.InstanceNotFound:
            return None
        if row.task_state != expected_task_state:
            return None  # e.g. deleted while the action ran
        cas_update(s, row, values)
        record_event(s, ctx, instance_uuid, event, error, host)
        if error:
            add_fault(s, instance_uuid, 500, error[:255], details=error)
        return instance_dicts(s, [row])[0]
