"""What the live instances hold: resources per node, and which hosts run any."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.models import Instance

# Task states that keep a host's disks and network busy (Nova's IoOpsFilter counts them).
IO_TASK_STATES = ("scheduling", "spawning", "rebuilding", "image_snapshot", "image_backup", "resize_migrating")
NO_USAGE = {"vcpus_used": 0, "memory_mb_used": 0, "local_gb_used": 0, "running_vms": 0,
            "io_ops": 0}


def usage_by_node(session: Session, node: str | None = None) -> dict[str, dict[str, int]]:
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


def hosts_with_instances(session: Session, hosts: list[str]) -> list[str]:
    """Those of `hosts` that run a live instance, sorted."""
    if not hosts:
        return []
    return sorted(set(session.scalars(sa.select(Instance.host).where(
        Instance.host.in_(hosts), Instance.deleted == 0).distinct())))
