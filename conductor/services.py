"""Services, compute nodes and the host states the scheduler reads."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from conductor.db import api as db
from conductor.db.models import ComputeNode, Instance, Service, utcnow
from conductor.rpcapi import ConductorAPI
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


# Task states that keep a host's disks and network busy (Nova's IoOpsFilter counts them).
IO_TASK_STATES = ("scheduling", "spawning", "rebuilding", "image_snapshot", "resize_migrating")


def usage_by_node(session: sa.orm.Session,
                  node: str | None = None) -> dict[str, dict[str, int]]:
    """Resources the live instances hold, per node, in one query."""
    busy = sa.case((Instance.task_state.in_(IO_TASK_STATES), 1), else_=0)
    query = (sa.select(Instance.node,
                       sa.func.sum(Instance.vcpus), sa.func.sum(Instance.memory_mb),
                       sa.func.sum(Instance.root_gb + Instance.ephemeral_gb),
                       sa.func.count(), sa.func.sum(busy))
             .where(Instance.deleted == 0, Instance.node.is_not(None))
             .group_by(Instance.node))
    if node is not None:
        query = query.where(Instance.node == node)
    return {row[0]: {"vcpus_used": int(row[1] or 0), "memory_mb_used": int(row[2] or 0),
                     "local_gb_used": int(row[3] or 0), "running_vms": int(row[4]),
                     "io_ops": int(row[5] or 0)}
            for row in session.execute(query)}


def _node_dict(node: ComputeNode, usage: dict[str, int] | None,
               service: Service | None) -> dict[str, Any]:
    out = db.to_dict(node)
    out.update(usage or {"vcpus_used": 0, "memory_mb_used": 0, "local_gb_used": 0,
                         "running_vms": 0, "io_ops": 0})
    out["service"] = db.to_dict(service) if service is not None else None
    return out


def _find(session: sa.orm.Session, host: str | None = None, binary: str | None = None,
          service_uuid: str | None = None) -> Service:
    if service_uuid is not None:
        row = session.scalar(sa.select(Service).where(Service.uuid == service_uuid))
        missing = service_uuid
    else:
        row = session.scalar(sa.select(Service).where(Service.host == host,
                                                      Service.binary == binary))
        missing = f"{binary} on {host}"
    if row is None:
        raise exception.ServiceNotFound(service_id=missing)
    return row


class ServiceEndpoint:
    target = endpoint_target(ConductorAPI)

    def ping(self, ctx: RequestContext) -> str:
        """Answers once this conductor takes calls (services wait for it at start)."""
        return "pong"

    def service_report(self, ctx: RequestContext, host: str, binary: str,
                       topic: str) -> dict[str, Any]:
        with db.writer() as s:
            row = s.scalar(sa.select(Service).where(Service.host == host,
                                                    Service.binary == binary))
            if row is None:
                row = Service(uuid=str(uuid.uuid4()), host=host, binary=binary, topic=topic)
                s.add(row)
            row.report_count = (row.report_count or 0) + 1
            row.last_seen_up = utcnow()
            s.flush()
            return db.to_dict(row)

    def service_list(self, ctx: RequestContext, host: str | None = None,
                     binary: str | None = None) -> list[dict[str, Any]]:
        with db.reader() as s:
            query = sa.select(Service).order_by(Service.id)
            if host:
                query = query.where(Service.host == host)
            if binary:
                query = query.where(Service.binary == binary)
            return [db.to_dict(r) for r in s.scalars(query)]

    def service_get(self, ctx: RequestContext, service_uuid: str) -> dict[str, Any]:
        with db.reader() as s:
            return db.to_dict(_find(s, service_uuid=service_uuid))

    def service_update(self, ctx: RequestContext, values: dict[str, Any],
                       host: str | None = None, binary: str | None = None,
                       service_uuid: str | None = None) -> dict[str, Any]:
        """Update the service named by `service_uuid`, or by `host` and `binary`."""
        allowed = {"disabled", "disabled_reason", "forced_down"}
        with db.writer() as s:
            row = _find(s, host, binary, service_uuid)
            for key, value in values.items():
                if key in allowed:
                    setattr(row, key, value)
            s.flush()
            out = db.to_dict(row)
        SchedulerAPI().host_states_changed(ctx)
        return out

    def service_delete(self, ctx: RequestContext, service_id: int | None = None,
                       service_uuid: str | None = None) -> None:
        """Delete a service by database id (before 2.53) or uuid, with its nodes."""
        with db.writer() as s:
            if service_uuid is not None:
                row = _find(s, service_uuid=service_uuid)
            else:
                row = s.get(Service, service_id)
                if row is None:
                    raise exception.ServiceNotFound(service_id=service_id)
            if row.binary == "stratus-compute":
                s.execute(sa.delete(ComputeNode).where(ComputeNode.host == row.host))
            s.delete(row)
        SchedulerAPI().host_states_changed(ctx)

    def compute_node_report(self, ctx: RequestContext, host: str, node: str,
                            resources: dict[str, Any]) -> dict[str, Any]:
        fields = {"vcpus", "memory_mb", "local_gb", "hypervisor_type", "hypervisor_version",
                  "host_ip", "cpu_allocation_ratio", "ram_allocation_ratio",
                  "disk_allocation_ratio", "supported_instances"}
        with db.writer() as s:
            row = s.scalar(sa.select(ComputeNode).where(
                ComputeNode.hypervisor_hostname == node))
            if row is None:
                row = ComputeNode(uuid=str(uuid.uuid4()), host=host, hypervisor_hostname=node)
                s.add(row)
            row.host = host
            for key in fields & resources.keys():
                setattr(row, key, resources[key])
            s.flush()
            out = _node_dict(row, usage_by_node(s, node).get(node), None)
        SchedulerAPI().host_states_changed(ctx)
        return out

    def host_states(self, ctx: RequestContext) -> list[dict[str, Any]]:
        """Every compute node with its usage and its service, in two queries."""
        with db.reader() as s:
            rows = s.execute(
                sa.select(ComputeNode, Service)
                .outerjoin(Service, sa.and_(Service.host == ComputeNode.host,
                                            Service.binary == "stratus-compute"))
                .order_by(ComputeNode.id)).all()
            usage = usage_by_node(s)
            return [_node_dict(node, usage.get(node.hypervisor_hostname), service)
                    for node, service in rows]
