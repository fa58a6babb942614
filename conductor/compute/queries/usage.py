"""What instances hold and held: resources per node and which hosts run any (the live
instances), usage per project over a time window (every instance that ran in it, deleted
ones included), and the instance usage audit's task log."""
from __future__ import annotations

import datetime
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.models import Instance, Migration, TaskLog
from conductor.db import api as db
from conductor.db.base import utcnow
from conductor.db.expressions import seconds_between
from stratus import exception

# Task states that keep a host's disks and network busy (Nova's IoOpsFilter counts them).
IO_TASK_STATES = ("scheduling", "spawning", "rebuilding", "image_snapshot", "image_backup", "resize_migrating")
NO_USAGE = {"vcpus_used": 0, "memory_mb_used": 0, "local_gb_used": 0, "running_vms": 0,
            "io_ops": 0}


def usage_by_node(session: Session, node: str | None = None) -> dict[str, dict[str, int]]:
    """Resources the live instances hold, per node, and those open moves hold for them
    on the node they are not on (a resize's destination, then its source), in two
    queries."""
    busy = sa.case((Instance.task_state.in_(IO_TASK_STATES), 1), else_=0)
    query = (sa.select(Instance.node,
                       sa.func.sum(Instance.vcpus), sa.func.sum(Instance.memory_mb),
                       sa.func.sum(Instance.root_gb + Instance.ephemeral_gb),
                       sa.func.count(), sa.func.sum(busy))
             .where(Instance.deleted == 0, Instance.node.is_not(None))
             .group_by(Instance.node))
    held = (sa.select(Migration.held_node, sa.func.sum(Migration.held_vcpus),
                      sa.func.sum(Migration.held_memory_mb),
                      sa.func.sum(Migration.held_disk_gb))
            .where(Migration.held_node.is_not(None)).group_by(Migration.held_node))
    if node is not None:
        query = query.where(Instance.node == node)
        held = held.where(Migration.held_node == node)
    usage = {row[0]: {"vcpus_used": int(row[1] or 0), "memory_mb_used": int(row[2] or 0),
                      "local_gb_used": int(row[3] or 0), "running_vms": int(row[4]),
                      "io_ops": int(row[5] or 0)}
             for row in session.execute(query)}
    for held_node, vcpus, memory_mb, disk_gb in session.execute(held):
        found = usage.setdefault(held_node, dict(NO_USAGE))
        found["vcpus_used"] += int(vcpus or 0)
        found["memory_mb_used"] += int(memory_mb or 0)
        found["local_gb_used"] += int(disk_gb or 0)
    return usage


def hosts_with_instances(session: Session, hosts: list[str]) -> list[str]:
    """Those of `hosts` that run a live instance, sorted."""
    if not hosts:
        return []
    return sorted(set(session.scalars(sa.select(Instance.host).where(
        Instance.host.in_(hosts), Instance.deleted == 0).distinct())))


# --- usage per project over a window (os-simple-tenant-usage) ------------------------

def _time(value: datetime.datetime | None) -> str | None:
    """A time as Nova's usage views print it: 2012-10-08T20:10:44.587336."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value is not None else None


def _active_in(start: datetime.datetime, stop: datetime.datetime) -> list[Any]:
    """Instances that ran at some time in [start, stop): launched before its end and not
    terminated before its beginning. Deleted rows count for the time they ran."""
    return [Instance.launched_at < stop,
            sa.or_(Instance.terminated_at.is_(None), Instance.terminated_at > start)]


def _usage_page(start: datetime.datetime, stop: datetime.datetime, now: datetime.datetime,
                project_id: str | None, limit: int | None,
                marker: str | None) -> sa.Select[Any]:
    """The instances active in the window, by project then uuid, after `marker`, with
    the hours each ran within the window and its uptime, computed by the database."""
    start_at, stop_at = sa.literal(start, sa.DateTime()), sa.literal(stop, sa.DateTime())
    began = sa.case((Instance.launched_at > start_at, Instance.launched_at), else_=start_at)
    ended = sa.case((Instance.terminated_at < stop_at, Instance.terminated_at), else_=stop_at)
    until = sa.func.coalesce(Instance.terminated_at, sa.literal(now, sa.DateTime()))
    query = (sa.select(Instance.uuid, Instance.name, Instance.project_id, Instance.vm_state,
                       Instance.vcpus, Instance.memory_mb,
                       (Instance.root_gb + Instance.ephemeral_gb).label("local_gb"),
                       Instance.flavor, Instance.launched_at, Instance.terminated_at,
                       (seconds_between(began, ended) / 3600.0).label("hours"),
                       seconds_between(Instance.launched_at, until).label("uptime"))
             .where(*_active_in(start, stop)))
    if project_id is not None:
        query = query.where(Instance.project_id == project_id)
    if marker is not None:
        # The marker's own row (deleted or not, any project) gives the position, inside
        # this one statement; a marker that names no instance matches nothing.
        anchor = sa.select(Instance.project_id).where(Instance.uuid == marker) \
            .scalar_subquery()
        query = query.where(sa.or_(Instance.project_id > anchor,
                                   sa.and_(Instance.project_id == anchor,
                                           Instance.uuid > marker)))
    query = query.order_by(Instance.project_id, Instance.uuid)
    return query.limit(limit) if limit is not None else query


def _summary(project_id: str) -> dict[str, Any]:
    return {"tenant_id": project_id, "total_hours": 0.0, "total_local_gb_usage": 0.0,
            "total_memory_mb_usage": 0.0, "total_vcpus_usage": 0.0}


def _server_usage(row: Any) -> dict[str, Any]:
    flavor = row.flavor or {}
    return {"instance_id": row.uuid, "name": row.name, "tenant_id": row.project_id,
            "hours": float(row.hours), "vcpus": row.vcpus, "memory_mb": row.memory_mb,
            "local_gb": int(row.local_gb), "flavor": flavor.get("name") or "",
            "started_at": _time(row.launched_at), "ended_at": _time(row.terminated_at),
            "state": "terminated" if row.terminated_at is not None else row.vm_state,
            "uptime": int(row.uptime)}


def tenant_usage(start: datetime.datetime, stop: datetime.datetime, *,
                 project_id: str | None = None, detailed: bool = True,
                 limit: int | None = None, marker: str | None = None) -> dict[str, Any]:
    """Usage per project over [start, stop) of a page of the instances active then (by
    project, then uuid, after the instance `marker`), in one statement:
    {"tenant_usages": [per project totals, with its "server_usages" when `detailed`],
    "instances": how many instances the page holds, "last_instance": the last one's uuid}.
    Invalid when the page is empty because `marker` names no instance."""
    now = utcnow()
    page = _usage_page(start, stop, now, project_id, limit, marker)
    with db.reader() as s:
        if detailed:
            usages: dict[str, dict[str, Any]] = {}
            count, last = 0, None
            for row in s.execute(page):
                server = _server_usage(row)
                summary = usages.setdefault(row.project_id,
                                            {**_summary(row.project_id), "server_usages": []})
                summary["server_usages"].append(server)
                for total, key in (("total_local_gb_usage", "local_gb"),
                                   ("total_vcpus_usage", "vcpus"),
                                   ("total_memory_mb_usage", "memory_mb")):
                    summary[total] += server[key] * server["hours"]
                summary["total_hours"] += server["hours"]
                count, last = count + 1, row.uuid
            result = list(usages.values())
        else:
            rows = page.subquery()
            totals = (sa.select(rows.c.project_id, sa.func.count(), sa.func.max(rows.c.uuid),
                                sa.func.sum(rows.c.hours),
                                sa.func.sum(rows.c.hours * rows.c.local_gb),
                                sa.func.sum(rows.c.hours * rows.c.vcpus),
                                sa.func.sum(rows.c.hours * rows.c.memory_mb))
                      .group_by(rows.c.project_id).order_by(rows.c.project_id))
            result, count, last = [], 0, None
            for project, n, last_uuid, hours, disk, vcpus, memory in s.execute(totals):
                result.append({"tenant_id": project, "total_hours": float(hours or 0),
                               "total_local_gb_usage": float(disk or 0),
                               "total_vcpus_usage": float(vcpus or 0),
                               "total_memory_mb_usage": float(memory or 0)})
                count, last = count + n, last_uuid
        if count == 0 and marker is not None and s.scalar(
                sa.select(Instance.id).where(Instance.uuid == marker)) is None:
            raise exception.Invalid(f"Marker {marker} could not be found.")
    return {"tenant_usages": result, "instances": count, "last_instance": last}


# --- the instance usage audit's task log (os-instance_usage_audit_log) ------------------

AUDIT_TASK = "instance_usage_audit"


def _task_log_dict(row: TaskLog) -> dict[str, Any]:
    out = db.to_dict(row)
    for key in ("period_beginning", "period_ending"):
        out[key] = str(getattr(row, key))
    return out


def record_usage_audit(host: str, begin: datetime.datetime,
                       end: datetime.datetime) -> dict[str, Any] | None:
    """Audit the instances that were active on `host` in [begin, end) and record it, once:
    the task-log row (DONE, with their count), or None when the host already has one."""
    started = time.monotonic()
    with db.writer() as s:
        if s.scalar(sa.select(TaskLog.id).where(
                TaskLog.task_name == AUDIT_TASK, TaskLog.host == host,
                TaskLog.period_beginning == begin, TaskLog.period_ending == end)) is not None:
            return None
        count = s.scalar(sa.select(sa.func.count()).select_from(Instance).where(
            Instance.host == host, *_active_in(begin, end))) or 0
        row = TaskLog(task_name=AUDIT_TASK, state="DONE", host=host, period_beginning=begin,
                      period_ending=end, task_items=count, errors=0,
                      message=f"Instance usage audit ran for host {host}, {count} "
                              f"instances in {time.monotonic() - started:.3f} seconds.")
        s.add(row)
        s.flush()
        return _task_log_dict(row)


def task_logs(task_name: str, begin: datetime.datetime,
              end: datetime.datetime) -> list[dict[str, Any]]:
    """The task-log rows of `task_name` for exactly the period [begin, end), by host."""
    with db.reader() as s:
        rows = s.scalars(sa.select(TaskLog).where(
            TaskLog.task_name == task_name, TaskLog.period_beginning == begin,
            TaskLog.period_ending == end).order_by(TaskLog.host))
        return [_task_log_dict(r) for r in rows]
