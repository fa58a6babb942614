"""SQL of security groups (nova-network's): groups with their ingress rules, the servers
in them, the default rules copied into each project's `default` group, and what the
network agents filter by (rules_for_instances). Rules arrive here already checked
(conductor/network/security_group_endpoint.py); the checks that must hold where the
rows are written (unique names, duplicates, quotas, use by a server) are made here.

A project's `default` group is made on its first need (a listing, a create, a server
that names it), with a copy of the admins' default rules and nothing else: as in
nova-network, a new group lets no ingress in until a rule opens it, and egress is
always allowed."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.models import Instance
from conductor.compute.queries import quotas
from conductor.db import api as db
from conductor.db.base import utcnow
from conductor.network import addressing
from conductor.network.models import (FixedIp, Network, SecurityGroup,
                                      SecurityGroupDefaultRule,
                                      SecurityGroupInstanceAssociation as Member,
                                      SecurityGroupRule, VirtualInterface)
from stratus import exception
from stratus.config import CONF

Record = dict[str, Any]
DEFAULT = "default"
RULE_KEYS = ("protocol", "from_port", "to_port", "cidr", "group_id")


class SecurityGroupLimitExceeded(exception.QuotaExceeded):
    """Nova's message for a group or rule over quota (403)."""
    msg_fmt = "Quota exceeded, too many %(what)s."


def not_found(group: Any, project_id: str | None = None) -> exception.NotFound:
    if project_id is not None:
        return exception.NotFound(f"Security group {group} not found for project "
                                  f"{project_id}.")
    return exception.NotFound(f"Security group {group} not found.")


# --- rows as dicts ----------------------------------------------------------------

def _rule_dict(row: SecurityGroupRule, groups: dict[int, SecurityGroup]) -> Record:
    item = {"id": row.id, "parent_group_id": row.parent_group_id,
            **{k: getattr(row, k) for k in RULE_KEYS}, "group": None}
    source = groups.get(row.group_id) if row.group_id is not None else None
    if source is not None:
        item["group"] = {"name": source.name, "tenant_id": source.project_id}
    return item


def _group_dicts(session: Session, groups: list[SecurityGroup]) -> list[Record]:
    """Groups with their rules, each group-sourced rule with its source's name and
    project: three queries whatever the number of groups."""
    if not groups:
        return []
    ids = [g.id for g in groups]
    rules = list(session.scalars(sa.select(SecurityGroupRule).where(
        SecurityGroupRule.parent_group_id.in_(ids)).order_by(SecurityGroupRule.id)))
    known = {g.id: g for g in groups}
    sources = {r.group_id for r in rules if r.group_id is not None} - set(known)
    if sources:
        known.update({g.id: g for g in session.scalars(sa.select(SecurityGroup).where(
            SecurityGroup.id.in_(sources), SecurityGroup.deleted == 0))})
    by_group: dict[int, list[Record]] = {}
    for rule in rules:
        by_group.setdefault(rule.parent_group_id, []).append(_rule_dict(rule, known))
    return [{**db.to_dict(g), "rules": by_group.get(g.id, [])} for g in groups]


def _default_rule_dict(row: SecurityGroupDefaultRule) -> Record:
    return {"id": row.id, "protocol": row.protocol, "from_port": row.from_port,
            "to_port": row.to_port, "cidr": row.cidr}


# --- on an open session ----------------------------------------------------------

def _live() -> Any:
    return SecurityGroup.deleted == 0


def _storable(ident: int) -> bool:
    """An id an Integer column can hold (a larger one names no row)."""
    return -2 ** 31 <= ident < 2 ** 31


def _group_row(session: Session, group_id: int, project_id: str | None = None,
               for_update: bool = False) -> SecurityGroup:
    if not _storable(group_id):
        raise not_found(group_id)
    query = sa.select(SecurityGroup).where(SecurityGroup.id == group_id, _live())
    if project_id is not None:
        query = query.where(SecurityGroup.project_id == project_id)
    if for_update:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise not_found(group_id)
    return row


def _by_names(session: Session, project_id: str, names: list[str],
              for_update: bool = False) -> list[SecurityGroup]:
    """The project's groups of these names, in their order; NotFound for the first
    missing one (Nova's SecurityGroupNotFoundForProject). Locked, a group cannot be
    deleted while a server joins it."""
    query = sa.select(SecurityGroup).where(
        _live(), SecurityGroup.project_id == project_id, SecurityGroup.name.in_(names))
    if for_update:
        query = query.with_for_update()
    rows = {g.name: g for g in session.scalars(query)}
    for name in names:
        if name not in rows:
            raise not_found(name, project_id)
    return [rows[n] for n in names]


def _has_default(session: Session, project_id: str) -> bool:
    return session.scalar(sa.select(SecurityGroup.id).where(
        _live(), SecurityGroup.project_id == project_id,
        SecurityGroup.name == DEFAULT)) is not None


def ensure_default_on(session: Session, project_id: str, user_id: str | None) -> None:
    """Make the project's `default` group if it has none, with the default rules (on a
    writer's session whose project is locked: quotas.lock_project)."""
    if _has_default(session, project_id):
        return
    group = SecurityGroup(name=DEFAULT, description=DEFAULT, project_id=project_id,
                          user_id=user_id, deleted=0)
    session.add(group)
    session.flush()
    for rule in session.scalars(sa.select(SecurityGroupDefaultRule)
                                .order_by(SecurityGroupDefaultRule.id)):
        session.add(SecurityGroupRule(parent_group_id=group.id, protocol=rule.protocol,
                                      from_port=rule.from_port, to_port=rule.to_port,
                                      cidr=rule.cidr))
    session.flush()


def _check_group_quota(session: Session, project_id: str) -> None:
    limit = quotas.project_limits(session, project_id)["security_groups"]
    used = quotas.security_group_count(session, project_id)
    if limit >= 0 and used + 1 > limit:
        raise SecurityGroupLimitExceeded(what="security groups", resource="security_groups",
                                         requested=1, used=used, quota=limit)


def _in_use(session: Session, group_id: int) -> bool:
    return session.scalar(
        sa.select(Member.id).join(Instance, Instance.uuid == Member.instance_uuid)
        .where(Member.security_group_id == group_id, Instance.deleted == 0)
        .limit(1)) is not None


def associate_at_create(session: Session, project_id: str, user_id: str | None,
                        instance_uuids: list[str], names: list[str]) -> None:
    """Put new instances in the project's groups `names` (the `default` one made if
    needed), on the session that inserts them; NotFound names the first unknown group."""
    if DEFAULT in names:
        ensure_default_on(session, project_id, user_id)
    for group in _by_names(session, project_id, names, for_update=True):
        session.add_all([Member(security_group_id=group.id, instance_uuid=uuid)
                         for uuid in instance_uuids])


def check_names(session: Session, project_id: str, names: list[str]) -> None:
    """Invalid (a create's 400) naming the first of `names` the project has no group of
    (`default` always exists, made on need)."""
    try:
        _by_names(session, project_id, [n for n in names if n != DEFAULT])
    except exception.NotFound as e:
        raise exception.Invalid(e.message) from None


def release_for_instance(session: Session, instance_uuid: str) -> None:
    """The instance leaves its groups (on the session that deletes it)."""
    session.execute(sa.delete(Member).where(Member.instance_uuid == instance_uuid))


def names_for_instances(session: Session, instance_uuids: list[str]) -> dict[str, list[str]]:
    """Per instance the names of its groups, by name: one query for all."""
    if not instance_uuids:
        return {}
    found: dict[str, list[str]] = {}
    for uuid, name in session.execute(
            sa.select(Member.instance_uuid, SecurityGroup.name)
            .join(SecurityGroup, SecurityGroup.id == Member.security_group_id)
            .where(Member.instance_uuid.in_(instance_uuids), _live())
            .order_by(Member.instance_uuid, SecurityGroup.name)):
        found.setdefault(uuid, []).append(name)
    return found


def rules_for_instances(session: Session, instance_uuids: list[str]) -> dict[str, list[Record]]:
    """The ingress rules of each instance, for a network agent's filters: per uuid (every
    one asked for, [] when nothing is let in) a list of
    {"protocol": "tcp" | "udp" | "icmp" | None (all protocols),
     "from_port": int | None, "to_port": int | None (ICMP: type and code, -1 any;
                  None with protocol None),
     "cidr": str | None (the source range of a CIDR rule),
     "source_ips": list[str] | None (a group-sourced rule: the fixed IPs, IPv4 and
                  IPv6, of the source group's live member instances, sorted; [] when it
                  has none)}.
    Two queries for any number of instances. Egress is not filtered (nova-network)."""
    found: dict[str, list[Record]] = {uuid: [] for uuid in instance_uuids}
    if not instance_uuids:
        return found
    rows = list(session.execute(
        sa.select(Member.instance_uuid, SecurityGroupRule.protocol,
                  SecurityGroupRule.from_port, SecurityGroupRule.to_port,
                  SecurityGroupRule.cidr, SecurityGroupRule.group_id)
        .join(SecurityGroupRule,
              SecurityGroupRule.parent_group_id == Member.security_group_id)
        .join(SecurityGroup, SecurityGroup.id == Member.security_group_id)
        .where(Member.instance_uuid.in_(instance_uuids), _live())
        .order_by(Member.instance_uuid, SecurityGroupRule.id)))
    sources = {r.group_id for r in rows if r.group_id is not None}
    ips = _member_addresses(session, sources)
    for r in rows:
        found[r.instance_uuid].append({
            "protocol": r.protocol.lower() if r.protocol else None,
            "from_port": r.from_port, "to_port": r.to_port,
            "cidr": None if r.group_id is not None else r.cidr,
            "source_ips": sorted(ips[r.group_id]) if r.group_id is not None else None})
    return found


def _member_addresses(session: Session, groups: set[int]) -> dict[int, set[str]]:
    """The fixed IPs of each group's live members: IPv4, and IPv6 (from the MAC) where
    their network has a range and [network] use_ipv6 is on."""
    ips: dict[int, set[str]] = {g: set() for g in groups}
    if not groups:
        return ips
    for group_id, address, mac, cidr_v6 in session.execute(
            sa.select(Member.security_group_id, FixedIp.address, VirtualInterface.address,
                      Network.cidr_v6)
            .join(FixedIp, FixedIp.instance_uuid == Member.instance_uuid)
            .join(VirtualInterface, VirtualInterface.id == FixedIp.virtual_interface_id)
            .join(Network, Network.id == FixedIp.network_id)
            .join(Instance, Instance.uuid == Member.instance_uuid)
            .where(Member.security_group_id.in_(groups), FixedIp.allocated.is_(True),
                   Instance.deleted == 0)):
        ips[group_id].add(address)
        if cidr_v6 and CONF.network.use_ipv6:
            ips[group_id].add(addressing.eui64(cidr_v6, mac))
    return ips


# --- transactions: groups -----------------------------------------------------------

def ensure_default(project_id: str, user_id: str | None) -> None:
    """The project's `default` group exists after this (a read when it already does)."""
    with db.reader() as s:
        if _has_default(s, project_id):
            return
    with db.writer() as s:
        quotas.lock_project(s, project_id)
        ensure_default_on(s, project_id, user_id)


def list_groups(project_id: str | None) -> list[Record]:
    """Live groups of the project (None: of every project), by project then name."""
    query = sa.select(SecurityGroup).where(_live()).order_by(
        SecurityGroup.project_id, SecurityGroup.name, SecurityGroup.id)
    if project_id is not None:
        query = query.where(SecurityGroup.project_id == project_id)
    with db.reader() as s:
        return _group_dicts(s, list(s.scalars(query)))


def get_group(group_id: int, project_id: str | None = None) -> Record:
    with db.reader() as s:
        return _group_dicts(s, [_group_row(s, group_id, project_id)])[0]


def create_group(project_id: str, user_id: str | None, name: str,
                 description: str) -> Record:
    """A new group of the project, under its security_groups quota; Invalid when the
    project has a group of that name."""
    with db.writer() as s:
        quotas.lock_project(s, project_id)
        ensure_default_on(s, project_id, user_id)
        if s.scalar(sa.select(SecurityGroup.id).where(
                _live(), SecurityGroup.project_id == project_id,
                SecurityGroup.name == name)) is not None:
            raise exception.Invalid(f"Security group {name} already exists")
        _check_group_quota(s, project_id)
        row = SecurityGroup(name=name, description=description, project_id=project_id,
                            user_id=user_id, deleted=0)
        s.add(row)
        s.flush()
        return _group_dicts(s, [row])[0]


def update_group(group_id: int, name: str, description: str,
                 project_id: str | None = None) -> Record:
    """Rename or redescribe a group (not `default`)."""
    with db.writer() as s:
        row = _group_row(s, group_id, project_id, for_update=True)
        if row.name == DEFAULT:
            raise exception.Invalid(f"Unable to update system group '{DEFAULT}'")
        if name != row.name and s.scalar(sa.select(SecurityGroup.id).where(
                _live(), SecurityGroup.project_id == row.project_id,
                SecurityGroup.name == name)) is not None:
            raise exception.Invalid(f"Security group {name} already exists")
        row.name, row.description = name, description
        s.flush()
        return _group_dicts(s, [row])[0]


def delete_group(group_id: int, project_id: str | None = None) -> None:
    """Delete a group no live server is in, with its rules and the rules of other groups
    that name it as their source; `default` stays."""
    with db.writer() as s:
        row = _group_row(s, group_id, project_id, for_update=True)
        if row.name == DEFAULT:
            raise exception.Invalid(f"Unable to delete system group '{DEFAULT}'")
        if _in_use(s, row.id):
            raise exception.Invalid("Security group is still in use")
        s.execute(sa.delete(SecurityGroupRule).where(sa.or_(
            SecurityGroupRule.parent_group_id == row.id,
            SecurityGroupRule.group_id == row.id)))
        s.execute(sa.delete(Member).where(Member.security_group_id == row.id))
        row.deleted, row.deleted_at = row.id, utcnow()


# --- transactions: rules --------------------------------------------------------------

def _same_rule(rule: Any, values: Record) -> bool:
    def norm(key: str, value: Any) -> Any:
        return value.lower() if key == "protocol" and isinstance(value, str) else value
    return all(norm(k, getattr(rule, k)) == norm(k, values.get(k))
               for k in ("group_id", "cidr", "from_port", "to_port", "protocol")
               if hasattr(rule, k))


def create_rule(parent_group_id: int, values: Record,
                project_id: str | None = None) -> Record:
    """A new ingress rule (checked values: protocol, from_port, to_port, and cidr or
    group_id) in the group, under its security_group_rules quota; the source group must
    be of the same project (NotFound otherwise); Invalid for a duplicate."""
    with db.writer() as s:
        group = _group_row(s, parent_group_id, project_id, for_update=True)
        if values.get("group_id") is not None:
            _group_row(s, values["group_id"], group.project_id)
        existing = list(s.scalars(sa.select(SecurityGroupRule).where(
            SecurityGroupRule.parent_group_id == group.id)))
        if any(_same_rule(r, values) for r in existing):
            raise exception.Invalid(f"This rule already exists in group {group.id}")
        limit = quotas.project_limits(s, group.project_id)["security_group_rules"]
        if limit >= 0 and len(existing) + 1 > limit:
            raise SecurityGroupLimitExceeded(
                what="security group rules", resource="security_group_rules",
                requested=1, used=len(existing), quota=limit)
        row = SecurityGroupRule(parent_group_id=group.id,
                                **{k: values.get(k) for k in RULE_KEYS})
        s.add(row)
        s.flush()
        sources = {}
        if row.group_id is not None:
            sources[row.group_id] = s.get(SecurityGroup, row.group_id)
        return _rule_dict(row, sources)


def delete_rule(rule_id: int, project_id: str | None = None) -> None:
    """Delete a rule of a group the project may see (NotFound otherwise)."""
    with db.writer() as s:
        row = s.get(SecurityGroupRule, rule_id) if _storable(rule_id) else None
        if row is None:
            raise exception.NotFound(f"Rule ({rule_id}) not found")
        _group_row(s, row.parent_group_id, project_id)
        s.delete(row)


# --- transactions: default rules --------------------------------------------------------

def list_default_rules() -> list[Record]:
    with db.reader() as s:
        return [_default_rule_dict(r) for r in s.scalars(
            sa.select(SecurityGroupDefaultRule).order_by(SecurityGroupDefaultRule.id))]


def _default_rule_row(session: Session, rule_id: int) -> SecurityGroupDefaultRule:
    row = session.get(SecurityGroupDefaultRule, rule_id) if _storable(rule_id) else None
    if row is None:
        raise exception.NotFound(f"Security group default rule ({rule_id}) not found.")
    return row


def get_default_rule(rule_id: int) -> Record:
    with db.reader() as s:
        return _default_rule_dict(_default_rule_row(s, rule_id))


def create_default_rule(values: Record) -> Record:
    """A new default rule (checked: protocol, ports, cidr); Conflict for a duplicate."""
    with db.writer() as s:
        if any(_same_rule(r, values) for r in s.scalars(sa.select(SecurityGroupDefaultRule))):
            raise exception.Conflict(reason="This default rule already exists.")
        row = SecurityGroupDefaultRule(**{k: values.get(k) for k in RULE_KEYS
                                          if k != "group_id"})
        s.add(row)
        s.flush()
        return _default_rule_dict(row)


def delete_default_rule(rule_id: int) -> None:
    with db.writer() as s:
        s.delete(_default_rule_row(s, rule_id))


# --- transactions: servers' groups ---------------------------------------------------

def _live_instance(session: Session, instance_uuid: str) -> Instance:
    row = session.scalar(sa.select(Instance).where(Instance.uuid == instance_uuid,
                                                   Instance.deleted == 0))
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return row


def instance_groups(instance_uuid: str) -> list[Record]:
    """The server's groups with their rules, by project then name."""
    with db.reader() as s:
        groups = list(s.scalars(
            sa.select(SecurityGroup).join(Member, Member.security_group_id == SecurityGroup.id)
            .where(Member.instance_uuid == instance_uuid, _live())
            .order_by(SecurityGroup.project_id, SecurityGroup.name)))
        return _group_dicts(s, groups)


def add_instance_group(instance_uuid: str, name: str) -> None:
    """Put a live server in its project's group `name` (NotFound when the project has
    none; Invalid when the server is in it already)."""
    if name == DEFAULT:
        with db.reader() as s:
            instance = _live_instance(s, instance_uuid)
        ensure_default(instance.project_id, instance.user_id)
    with db.writer() as s:
        instance = _live_instance(s, instance_uuid)
        group = _by_names(s, instance.project_id, [name], for_update=True)[0]
        if s.scalar(sa.select(Member.id).where(Member.security_group_id == group.id,
                                               Member.instance_uuid == instance_uuid)):
            raise exception.Invalid(f"Security group {group.id} is already associated with "
                                    f"the instance {instance_uuid}")
        s.add(Member(security_group_id=group.id, instance_uuid=instance_uuid))


def remove_instance_group(instance_uuid: str, name: str) -> None:
    """Take a live server out of its project's group `name`."""
    with db.writer() as s:
        instance = _live_instance(s, instance_uuid)
        group = _by_names(s, instance.project_id, [name])[0]
        done = s.execute(sa.delete(Member).where(Member.security_group_id == group.id,
                                                 Member.instance_uuid == instance_uuid))
        if not done.rowcount:
            raise exception.Invalid(f"Security group {group.id} is not associated with "
                                    f"the instance {instance_uuid}")


def instance_rules(instance_uuids: list[str]) -> dict[str, list[Record]]:
    """rules_for_instances in a read transaction of its own."""
    with db.reader() as s:
        return rules_for_instances(s, instance_uuids)


def referenced_as_source(instance_uuid: str) -> bool:
    """Whether a group of the instance is the source of some rule (its members' addresses
    are in other ports' chains)."""
    with db.reader() as s:
        groups = sa.select(Member.security_group_id).where(
            Member.instance_uuid == instance_uuid)
        return s.scalar(sa.select(SecurityGroupRule.id).where(
            SecurityGroupRule.group_id.in_(groups)).limit(1)) is not None
