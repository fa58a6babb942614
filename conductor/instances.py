"""Instances: creation under quota, the build orchestration, state changes, deletion.

A build goes API -> instances_create (rows in BUILD/scheduling, quota held by
the rows themselves) -> schedule_and_build_instances (scheduler picks hosts,
the conductor claims one atomically) -> compute agent spawns -> ACTIVE.
"""
from __future__ import annotations

import logging
import secrets
import uuid
from typing import Any

import sqlalchemy as sa

from compute_agent.rpcapi import ComputeAPI
from conductor import quotas, server_groups
from conductor.action_log import record_action, record_event
from conductor.aggregates import host_aggregates
from conductor.db import api as db
from conductor.db.models import ComputeNode, Instance, InstanceFault, Service, utcnow
from conductor.rpcapi import ConductorAPI
from conductor.services import usage_by_node
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.config import CONF
from stratus.allocation_ratios import effective_ratios
from stratus.availability_zones import host_zones
from stratus.context import RequestContext
from stratus.objects import states
from stratus.rpc import endpoint_target
from stratus.servicegroup import get_driver

LOG = logging.getLogger(__name__)

SORT_KEYS = {"created_at", "updated_at", "display_name", "name", "uuid", "vm_state",
             "task_state", "power_state", "host", "node", "launched_at", "terminated_at",
             "project_id", "user_id", "image_ref", "availability_zone", "key_name",
             "hostname", "launch_index", "locked"}
_UNSET: Any = object()
TIME_COLUMNS = ("launched_at", "terminated_at", "deleted_at")


# --- rows as dicts ------------------------------------------------------------

def _fault_dict(fault: InstanceFault) -> dict[str, Any]:
    return {"code": fault.code, "message": fault.message, "details": fault.details,
            "created": db.json_safe(fault.created_at)}


def _latest_faults(session: sa.orm.Session, uuids: list[str]) -> dict[str, dict[str, Any]]:
    if not uuids:
        return {}
    rows = session.scalars(sa.select(InstanceFault)
                           .where(InstanceFault.instance_uuid.in_(uuids))
                           .order_by(InstanceFault.id))
    return {f.instance_uuid: _fault_dict(f) for f in rows}


def instance_dicts(session: sa.orm.Session, rows: list[Instance]) -> list[dict[str, Any]]:
    return _with_faults(session, [db.to_dict(r, skip=("request_spec",)) for r in rows])


def _with_faults(session: sa.orm.Session,
                 items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Instances as the API sees them: metadata under its name, the latest fault of those
    in ERROR (one query for all)."""
    faults = _latest_faults(session, [i["uuid"] for i in items
                                      if i["vm_state"] == states.ERROR])
    for item in items:
        item["metadata"] = item.pop("metadata_items") or {}
        item["fault"] = faults.get(item["uuid"])
    return items


# Listings read plain rows, not ORM objects (no identity map, no request_spec blob): a
# 1,000-server listing costs the conductor a fraction of the time and memory.
LISTED_COLUMNS = [c for c in Instance.__table__.c if c.key != "request_spec"]


def get_row(session: sa.orm.Session, instance_uuid: str,
             project_id: str | None = None, read_deleted: bool = False) -> Instance:
    query = sa.select(Instance).where(Instance.uuid == instance_uuid)
    if not read_deleted:
        query = query.where(Instance.deleted == 0)
    if project_id is not None:
        query = query.where(Instance.project_id == project_id)
    row = session.scalar(query)
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return row


def cas_update(session: sa.orm.Session, row: Instance, values: dict[str, Any]) -> None:
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


def record_fault(session: sa.orm.Session, instance_uuid: str, code: int, message: str,
                  details: str = "") -> None:
    session.add(InstanceFault(instance_uuid=instance_uuid, code=code,
                              message=message[:2000], details=details))


# --- quota --------------------------------------------------------------------

def _admissible_count(limits: dict[str, int], usage: dict[str, int], per_instance:
                      dict[str, int], min_count: int, max_count: int) -> int:
    """The largest count in [min, max] that fits; QuotaExceeded if min does not. Constant
    time whatever the counts: the room left of each resource, divided."""
    count = max_count
    for resource, each in per_instance.items():
        limit = limits[resource]
        if limit >= 0 and each > 0:
            count = min(count, max(0, limit - usage[resource]) // each)
    if count < min_count:
        quotas.check(limits, usage, {r: v * min_count for r, v in per_instance.items()})
    return count


# --- the endpoint ---------------------------------------------------------------

class InstanceEndpoint:
    target = endpoint_target(ConductorAPI)

    def __init__(self) -> None:
        self.servicegroup = get_driver()

    def instances_create(self, ctx: RequestContext, base: dict[str, Any], min_count: int,
                         max_count: int, request_spec: dict[str, Any]) -> list[dict[str, Any]]:
        """Create the rows of one boot request and start building them."""
        flavor = base["flavor"]
        per_instance = {"instances": 1, "cores": flavor["vcpus"], "ram": flavor["memory_mb"]}
        reservation_id = "r-" + secrets.token_hex(4)
        with db.writer() as s:
            quotas.lock_project(s, base["project_id"])
            limits = quotas.project_limits(s, base["project_id"])
            usage = quotas.project_usage(s, base["project_id"])
            quotas.check(limits, {"metadata_items": 0},
                         {"metadata_items": len(base.get("metadata_items") or {})})
            count = _admissible_count(limits, usage, per_instance, min_count, max_count)
            rows = []
            for index in range(count):
                values = dict(base)
                if count > 1:
                    values["name"] = f"{base['name']}-{index + 1}"
                    values["hostname"] = f"{base.get('hostname') or base['name']}-{index + 1}"
                rows.append(Instance(
                    uuid=str(uuid.uuid4()), reservation_id=reservation_id, launch_index=index,
                    vcpus=flavor["vcpus"], memory_mb=flavor["memory_mb"],
                    root_gb=flavor["root_gb"], ephemeral_gb=flavor["ephemeral_gb"],
                    flavorid=flavor["flavorid"], vm_state=states.BUILDING,
                    task_state=states.SCHEDULING, power_state=states.NOSTATE,
                    request_spec=request_spec, **values))
            s.add_all(rows)
            s.flush()
            group = (request_spec.get("group") or {}).get("uuid")
            if group:
                server_groups.add_members(s, group, base["project_id"],
                                          [r.uuid for r in rows])
            for row in rows:
                record_action(s, ctx, row.uuid, "create")
            created = instance_dicts(s, rows)
        ConductorAPI().schedule_and_build_instances(
            ctx, instance_uuids=[r["uuid"] for r in created], request_spec=request_spec)
        return created

    # --- building -----------------------------------------------------------------

    def schedule_and_build_instances(self, ctx: RequestContext, instance_uuids: list[str],
                                     request_spec: dict[str, Any],
                                     excluded_hosts: list[str] | None = None) -> None:
        try:
            destinations = SchedulerAPI().select_destinations(
                ctx, request_spec=request_spec, instance_uuids=instance_uuids,
                excluded_hosts=excluded_hosts or [])
        except exception.StratusError as e:
            details = str(e.kwargs.get("details", ""))
            for instance_uuid in instance_uuids:
                self._set_error(instance_uuid, e.code if e.code != 503 else 500, e.message,
                                details, ctx=ctx)
            return
        for instance_uuid, candidates in zip(instance_uuids, destinations):
            self._claim_and_build(ctx, instance_uuid, candidates)

    def _claim_and_build(self, ctx: RequestContext, instance_uuid: str,
                         candidates: list[dict[str, str]]) -> None:
        refusals = []
        for index, candidate in enumerate(candidates):
            try:
                instance = self._claim(instance_uuid, candidate["host"], candidate["node"])
            except exception.InstanceNotFound:
                return  # deleted while it was being scheduled
            except exception.Conflict as e:
                LOG.info("Claim of %s on %s failed: %s", instance_uuid, candidate["host"], e)
                refusals.append(str(e.kwargs.get("reason", e)))
                continue
            if instance is None:
                return
            ComputeAPI().build_and_run_instance(
                ctx, _server=candidate["host"], instance=instance,
                alternates=candidates[index + 1:])
            return
        self._set_error(instance_uuid, 500,
                        f"No valid host was found. Every candidate host ran out of room "
                        f"while the build was placed ({'; '.join(refusals)}).")

    def _claim(self, instance_uuid: str, host: str, node: str) -> dict[str, Any] | None:
        """Put the instance on `node` if its resources still fit there.

        Returns None when the instance is being deleted; Conflict when it does
        not fit. The node row is locked so concurrent claims queue up.
        """
        with db.writer() as s:
            row = get_row(s, instance_uuid)
            if row.task_state == states.DELETING or row.vm_state != states.BUILDING:
                return None
            if row.host is not None:
                return None  # placed already: a second schedule of the same build
            place(s, row, host, node)
            return instance_dicts(s, [row])[0]

    def instance_build_failed(self, ctx: RequestContext, instance_uuid: str, host: str,
                              reason: str, alternates: list[dict[str, str]],
                              retryable: bool = True) -> None:
        """A compute agent could not build: try elsewhere or end in ERROR."""
        with db.writer() as s:
            row = get_row(s, instance_uuid)
            if row.task_state == states.DELETING:
                return
            spec = dict(row.request_spec or {})
            tried = [*spec.get("retry_hosts", []), host]
            spec["retry_hosts"] = tried
            cas_update(s, row, {"host": None, "node": None, "task_state": states.SCHEDULING,
                                 "request_spec": spec})
            record_event(s, ctx, instance_uuid, "compute__do_build_and_run_instance",
                         error=reason, host=host)
        failure = f"Build of instance {instance_uuid} failed after {len(tried)} attempt(s): " \
                  f"{reason}"
        if not retryable or len(tried) >= CONF.scheduler.max_attempts:
            self._set_error(instance_uuid, 500, failure)
            return
        if not alternates:
            try:
                alternates = SchedulerAPI().select_destinations(
                    ctx, request_spec=spec, instance_uuids=[instance_uuid],
                    excluded_hosts=tried)[0]
            except exception.StratusError as e:
                self._set_error(instance_uuid, 500, f"{failure}. {e.message}")
                return
        self._claim_and_build(ctx, instance_uuid, alternates)

    def _set_error(self, instance_uuid: str, code: int, message: str, details: str = "",
                   ctx: RequestContext | None = None) -> None:
        """ERROR with a fault; `details` (admins only) also go into the request's action
        event when `ctx` is given."""
        with db.writer() as s:
            try:
                row = get_row(s, instance_uuid)
            except exception.InstanceNotFound:
                return
            if row.task_state == states.DELETING:
                return
            cas_update(s, row, {"vm_state": states.ERROR, "task_state": None,
                                 "host": None, "node": None})
            record_fault(s, instance_uuid, code, message, details)
            if ctx is not None:
                record_event(s, ctx, instance_uuid, "conductor_schedule_and_build_instances",
                             error=details or message)

    # --- reads ----------------------------------------------------------------------

    def instance_get(self, ctx: RequestContext, instance_uuid: str,
                     project_id: str | None = None,
                     read_deleted: bool = False) -> dict[str, Any]:
        with db.reader() as s:
            return instance_dicts(s, [get_row(s, instance_uuid, project_id,
                                               read_deleted)])[0]

    def instance_list(self, ctx: RequestContext, filters: dict[str, Any],
                      sort_key: str = "created_at", sort_dir: str = "desc",
                      limit: int | None = None,
                      marker: str | None = None) -> list[dict[str, Any]]:
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

    # --- writes ---------------------------------------------------------------------

    def instance_update(self, ctx: RequestContext, instance_uuid: str,
                        values: dict[str, Any], expected_task_state: Any = _UNSET,
                        expected_vm_state: list[str] | None = None) -> dict[str, Any]:
        """Update a live instance; with expectations, only from those states."""
        with db.writer() as s:
            row = get_row(s, instance_uuid)
            if expected_task_state is not _UNSET:
                allowed = expected_task_state if isinstance(expected_task_state, list) \
                    else [expected_task_state]
                if row.task_state not in allowed:
                    raise exception.InstanceInvalidState(
                        action="update", instance_uuid=instance_uuid, attr="task_state",
                        state=row.task_state)
            if expected_vm_state is not None and row.vm_state not in expected_vm_state:
                raise exception.InstanceInvalidState(
                    action="update", instance_uuid=instance_uuid, attr="vm_state",
                    state=row.vm_state)
            cas_update(s, row, values)
            return instance_dicts(s, [row])[0]

    def instance_metadata_update(self, ctx: RequestContext, instance_uuid: str,
                                 updates: dict[str, str], deletes: list[str] | None = None,
                                 replace: bool = False,
                                 project_id: str | None = None) -> dict[str, str]:
        with db.writer() as s:
            row = get_row(s, instance_uuid, project_id)
            metadata = {} if replace else dict(row.metadata_items or {})
            for key in deletes or []:
                if key not in metadata:
                    raise exception.MetadataItemNotFound()
                del metadata[key]
            metadata.update(updates)
            limit = quotas.project_limits(s, row.project_id)["metadata_items"]
            if 0 <= limit < len(metadata):
                raise exception.QuotaExceeded(resource="metadata_items",
                                              requested=len(metadata), used=0, quota=limit)
            cas_update(s, row, {"metadata_items": metadata})
            return metadata

    def instance_delete(self, ctx: RequestContext, instance_uuid: str,
                        project_id: str | None = None) -> None:
        """Start deleting: at once when no live compute agent holds the instance."""
        with db.writer() as s:
            row = get_row(s, instance_uuid, project_id)
            if row.locked and not ctx.is_admin:
                raise exception.Conflict(reason=f"Instance {instance_uuid} is locked")
            host = row.host
            cas_update(s, row, {"task_state": states.DELETING})
            record_action(s, ctx, instance_uuid, "delete")
            local = host is None or not self._compute_up(s, host)
            if local:
                _soft_delete(s, row)
                return
            instance = instance_dicts(s, [row])[0]
        ComputeAPI().terminate_instance(ctx, _server=host, instance=instance)

    def instance_destroy(self, ctx: RequestContext, instance_uuid: str) -> None:
        """The compute agent has removed the guest: the instance is gone."""
        with db.writer() as s:
            try:
                row = get_row(s, instance_uuid)
            except exception.InstanceNotFound:
                return
            _soft_delete(s, row)
            record_event(s, ctx, instance_uuid, "compute_terminate_instance", host=row.host)

    def instance_power_sync(self, ctx: RequestContext, instance_uuid: str, host: str,
                            power_state: int) -> None:
        """Make the record follow a guest that changed state by itself (no action
        running): a guest that shut itself down is SHUTOFF, one started outside is ACTIVE."""
        with db.writer() as s:
            try:
                row = get_row(s, instance_uuid)
            except exception.InstanceNotFound:
                return
            if row.host != host or row.task_state is not None:
                return
            values: dict[str, Any] = {"power_state": power_state}
            if row.vm_state == states.ACTIVE and power_state in (states.SHUTDOWN,
                                                                 states.CRASHED):
                values["vm_state"] = states.STOPPED
            elif row.vm_state == states.STOPPED and power_state == states.RUNNING:
                values["vm_state"] = states.ACTIVE
            if any(getattr(row, k) != v for k, v in values.items()):
                cas_update(s, row, values)

    def _compute_up(self, session: sa.orm.Session, host: str) -> bool:
        service = session.scalar(sa.select(Service).where(
            Service.host == host, Service.binary == "stratus-compute"))
        return service is not None and self.servicegroup.is_up(db.to_dict(service))


def place(session: sa.orm.Session, row: Instance, host: str, node: str) -> None:
    """Move the instance's claim to `node` if it fits there (Conflict otherwise): the
    node row is locked so concurrent claims queue up, its usage is summed afresh, the
    aggregates' ratios and the server group's policy apply."""
    query = sa.select(ComputeNode).where(ComputeNode.hypervisor_hostname == node)
    if not db.is_sqlite():
        query = query.with_for_update()
    cn = session.scalar(query)
    if cn is None:
        raise exception.Conflict(reason=f"node {node} is gone")
    used = usage_by_node(session, node).get(node, {"vcpus_used": 0, "memory_mb_used": 0,
                                                   "local_gb_used": 0})
    aggregates = host_aggregates(session, host)
    _check_fits(cn, used, row, effective_ratios(aggregates, {
        "cpu_allocation_ratio": cn.cpu_allocation_ratio,
        "ram_allocation_ratio": cn.ram_allocation_ratio,
        "disk_allocation_ratio": cn.disk_allocation_ratio}))
    server_groups.check_placement(session, row.uuid, host)
    zone = host_zones(aggregates).get(host, CONF.default_availability_zone)
    cas_update(session, row, {"host": host, "node": node, "availability_zone": zone})


def _soft_delete(session: sa.orm.Session, row: Instance) -> None:
    server_groups.remove_member(session, row.uuid)
    now = utcnow()
    cas_update(session, row, {"deleted": row.id, "deleted_at": now, "terminated_at": now,
                               "vm_state": states.DELETED, "task_state": None,
                               "power_state": states.NOSTATE})


def _check_fits(cn: ComputeNode, used: dict[str, int], row: Instance,
                ratios: dict[str, float]) -> None:
    free_ram = (cn.memory_mb * ratios["ram_allocation_ratio"]
                - CONF.compute.reserved_host_memory_mb - used["memory_mb_used"])
    free_cpu = cn.vcpus * ratios["cpu_allocation_ratio"] - used["vcpus_used"]
    free_disk = (cn.local_gb * ratios["disk_allocation_ratio"]
                 - CONF.compute.reserved_host_disk_mb / 1024 - used["local_gb_used"])
    for name, need, free in (("RAM", row.memory_mb, free_ram), ("vCPUs", row.vcpus, free_cpu),
                             ("disk", row.root_gb + row.ephemeral_gb, free_disk)):
        if need > free:
            raise exception.Conflict(reason=f"not enough {name}: need {need}, free {free:g}")


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
             "reservation_id": Instance.reservation_id, "task_state": Instance.task_state}
    for key, column in exact.items():
        if filters.get(key) is not None:
            query = query.where(column == filters[key])
    if filters.get("vm_state") is not None:
        query = query.where(Instance.vm_state.in_(filters["vm_state"]))
    if filters.get("uuids") is not None:
        query = query.where(Instance.uuid.in_(filters["uuids"]))
    if filters.get("name"):
        query = query.where(Instance.name.regexp_match(filters["name"]))
    if filters.get("changes_since"):
        query = query.where(Instance.updated_at >= db.parse_time(filters["changes_since"]))
    if filters.get("changes_before"):
        query = query.where(Instance.updated_at <= db.parse_time(filters["changes_before"]))
    return query
