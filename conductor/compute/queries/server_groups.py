"""SQL of server groups: their rows and members, the hosts their members are on, and
the hard-policy check a claim runs with the group row locked."""
from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.limits import QuotaCheck
from conductor.compute.models import Instance, InstanceGroup, InstanceGroupMember
from conductor.compute.queries import quotas
from conductor.db import api as db
from stratus import exception

HARD_POLICIES = ("affinity", "anti-affinity")


# --- on an open session ----------------------------------------------------------

def group_dict(row: InstanceGroup) -> dict[str, Any]:
    out = db.to_dict(row)
    out["members"] = [m.instance_uuid for m in row.members]
    return out


def group_row(session: Session, group_uuid: str, project_id: str | None = None,
              lock: bool = False) -> InstanceGroup:
    query = sa.select(InstanceGroup).where(InstanceGroup.uuid == group_uuid)
    if project_id is not None:
        query = query.where(InstanceGroup.project_id == project_id)
    if lock and not db.is_sqlite():
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
    return row


def member_hosts(session: Session, row: InstanceGroup,
                 exclude: str | None = None) -> list[str]:
    """The host of every placed member (a host once per member on it)."""
    uuids = [m.instance_uuid for m in row.members if m.instance_uuid != exclude]
    if not uuids:
        return []
    return list(session.scalars(sa.select(Instance.host).where(
        Instance.uuid.in_(uuids), Instance.deleted == 0, Instance.host.is_not(None))))


def add_members(session: Session, group_uuid: str, project_id: str,
                instance_uuids: list[str]) -> None:
    """Join new instances to a group of their project, within server_group_members."""
    row = group_row(session, group_uuid, project_id, lock=True)
    limit = quotas.project_limits(session, project_id)["server_group_members"]
    if 0 <= limit < len(row.members) + len(instance_uuids):
        raise exception.QuotaExceeded(
            f"Quota exceeded, too many servers in group {group_uuid}: "
            f"requested {len(instance_uuids)}, but already used {len(row.members)} "
            f"of {limit} server_group_members")
    row.members.extend(InstanceGroupMember(instance_uuid=u) for u in instance_uuids)


def remove_member(session: Session, instance_uuid: str) -> None:
    session.execute(sa.delete(InstanceGroupMember)
                    .where(InstanceGroupMember.instance_uuid == instance_uuid))


def check_placement(session: Session, instance_uuid: str, host: str) -> None:
    """Conflict if putting the instance on `host` breaks its group's hard policy.

    Runs inside the claim with the group row locked, so two placements of the same
    group cannot both pass on a stale picture (the scheduler's filters are the fast
    path; this is the guarantee)."""
    group_id = session.scalar(sa.select(InstanceGroupMember.group_id).where(
        InstanceGroupMember.instance_uuid == instance_uuid))
    if group_id is None:
        return
    query = sa.select(InstanceGroup).where(InstanceGroup.id == group_id)
    if not db.is_sqlite():
        query = query.with_for_update()
    group = session.scalar(query)
    if group is None or group.policy not in HARD_POLICIES:
        return
    hosts = Counter(member_hosts(session, group, exclude=instance_uuid))
    if group.policy == "anti-affinity":
        most = int((group.rules or {}).get("max_server_per_host", 1))
        if hosts[host] >= most:
            raise exception.Conflict(
                reason=f"server group {group.uuid} (anti-affinity) already has "
                       f"{hosts[host]} member(s) on {host}, at most {most} allowed")
    elif hosts and host not in hosts:
        raise exception.Conflict(
            reason=f"server group {group.uuid} (affinity) has its members on "
                   f"{', '.join(sorted(hosts))}")


# --- transactions -------------------------------------------------------------------

def create_group(project_id: str, user_id: str, name: str, policy: str,
                 rules: dict[str, Any], check: QuotaCheck) -> dict[str, Any]:
    """Insert the group once `check` passed on the project's (locked) quota."""
    with db.writer() as s:
        quotas.lock_project(s, project_id)
        check(quotas.project_limits(s, project_id), quotas.project_usage(s, project_id))
        row = InstanceGroup(uuid=str(uuid.uuid4()), name=name, project_id=project_id,
                            user_id=user_id, policy=policy, rules=rules)
        s.add(row)
        s.flush()
        return group_dict(row)


def group(group_uuid: str, project_id: str | None = None,
          with_hosts: bool = False) -> dict[str, Any]:
    """The group; `with_hosts` adds "hosts", the host of each placed member."""
    with db.reader() as s:
        row = group_row(s, group_uuid, project_id)
        out = group_dict(row)
        if with_hosts:
            out["hosts"] = member_hosts(s, row)
        return out


def groups(project_id: str | None = None, limit: int | None = None,
           offset: int = 0) -> list[dict[str, Any]]:
    with db.reader() as s:
        query = sa.select(InstanceGroup).order_by(InstanceGroup.id).offset(offset)
        if project_id is not None:
            query = query.where(InstanceGroup.project_id == project_id)
        if limit is not None:
            query = query.limit(limit)
        return [group_dict(r) for r in s.scalars(query)]


def delete_group(group_uuid: str, project_id: str | None = None) -> None:
    with db.writer() as s:
        s.delete(group_row(s, group_uuid, project_id))


def groups_of_instance(instance_uuid: str) -> list[str]:
    """The uuid of the group the instance is a member of, if any."""
    with db.reader() as s:
        return list(s.scalars(
            sa.select(InstanceGroup.uuid).join(InstanceGroupMember,
                                               InstanceGroupMember.group_id == InstanceGroup.id)
            .where(InstanceGroupMember.instance_uuid == instance_uuid)))
