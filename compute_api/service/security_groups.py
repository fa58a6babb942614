"""nova-network's security group APIs (os-security-groups, os-security-group-rules,
os-security-group-default-rules, a server's groups and its add/remove actions) over the
conductor's network domain: Nova's bodies read and checked with its messages (Nova 17
had no JSON schemas for them), and which project's groups a caller reaches (admins: any
group by id; everyone else: their project's)."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from stratus import exception
from stratus.context import RequestContext

Record = dict[str, Any]


def group_id(value: Any) -> int:
    """A group's (or rule's) id from a URL or body: an integer, as nova-network's."""
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        return int(value)
    except (TypeError, ValueError):
        raise exception.Invalid("Security group id should be integer") from None


def from_body(body: Any, key: str) -> Record:
    """The part `key` of a body (Nova's _from_body)."""
    if not body:
        raise exception.Invalid("The request body can't be empty")
    value = body.get(key) if isinstance(body, dict) else None
    if value is None:
        raise exception.Invalid(f"Missing parameter {key}")
    if not isinstance(value, dict):
        raise exception.Invalid(f"Invalid input received: {key} must be an object")
    return value


def check_property(value: Any, name: str) -> str:
    """A group's name or description: a string of at most 255 characters, not blank
    (kept as given, surrounding spaces and all)."""
    if not isinstance(value, str):
        raise exception.Invalid(f"Security group {name} is not a string or unicode")
    stripped = value.strip()
    if len(stripped) < 1:
        raise exception.Invalid(f"{name} has a minimum character requirement of 1.")
    if len(value) > 255:  # stored as given, so its spaces count too
        raise exception.Invalid(f"{name} has more than 255 characters.")
    return value


def _scope(ctx: RequestContext) -> str | None:
    """The project whose groups the caller reaches by id; None: any (admins)."""
    if ctx.is_admin:
        return None
    if ctx.project_id is None:
        raise exception.Invalid("A project-scoped token is needed.")
    return ctx.project_id


# --- groups ---------------------------------------------------------------------------

def list_security_groups(ctx: RequestContext, all_tenants: bool) -> list[Record]:
    """The caller's project's groups; an admin's `all_tenants`: every project's."""
    project_id = None if (all_tenants and ctx.is_admin) else ctx.project_id
    return list(conductor.security_group_list(ctx, project_id=project_id))


def get_security_group(ctx: RequestContext, raw_id: Any) -> Record:
    return conductor.security_group_get(ctx, group_id=group_id(raw_id),
                                        project_id=_scope(ctx))


def create_security_group(ctx: RequestContext, body: Any) -> Record:
    group = from_body(body, "security_group")
    name = check_property(group.get("name"), "name")
    description = check_property(group.get("description"), "description")
    if ctx.project_id is None:
        raise exception.Invalid("A project-scoped token is needed.")
    return conductor.security_group_create(ctx, project_id=ctx.project_id,
                                           user_id=ctx.user_id, name=name,
                                           description=description)


def update_security_group(ctx: RequestContext, raw_id: Any, body: Any) -> Record:
    ident = group_id(raw_id)
    scope = _scope(ctx)
    conductor.security_group_get(ctx, group_id=ident, project_id=scope)  # 404 first
    group = from_body(body, "security_group")
    name = check_property(group.get("name"), "name")
    description = check_property(group.get("description"), "description")
    return conductor.security_group_update(ctx, group_id=ident, name=name,
                                           description=description, project_id=scope)


def delete_security_group(ctx: RequestContext, raw_id: Any) -> None:
    conductor.security_group_delete(ctx, group_id=group_id(raw_id), project_id=_scope(ctx))


# --- rules ----------------------------------------------------------------------------

def create_security_group_rule(ctx: RequestContext, body: Any) -> Record:
    """A rule from Nova's body: parent_group_id, ip_protocol, from_port, to_port, and
    cidr or group_id (a source group)."""
    rule = from_body(body, "security_group_rule")
    parent = group_id(rule.get("parent_group_id"))
    values = {k: rule.get(k) for k in ("ip_protocol", "from_port", "to_port", "cidr")}
    values["group_id"] = group_id(rule["group_id"]) \
        if rule.get("group_id") is not None else None
    return conductor.security_group_rule_create(ctx, parent_group_id=parent, rule=values,
                                                project_id=_scope(ctx))


def delete_security_group_rule(ctx: RequestContext, raw_id: Any) -> None:
    conductor.security_group_rule_delete(ctx, rule_id=group_id(raw_id),
                                         project_id=_scope(ctx))


# --- default rules (admins) -------------------------------------------------------

def list_default_rules(ctx: RequestContext) -> list[Record]:
    return list(conductor.security_group_default_rule_list(ctx))


def get_default_rule(ctx: RequestContext, raw_id: Any) -> Record:
    return conductor.security_group_default_rule_get(ctx, rule_id=group_id(raw_id))


def create_default_rule(ctx: RequestContext, body: Any) -> Record:
    rule = from_body(body, "security_group_default_rule")
    values = {k: rule.get(k) for k in ("ip_protocol", "from_port", "to_port", "cidr")}
    return conductor.security_group_default_rule_create(ctx, rule=values)


def delete_default_rule(ctx: RequestContext, raw_id: Any) -> None:
    conductor.security_group_default_rule_delete(ctx, rule_id=group_id(raw_id))


# --- servers ------------------------------------------------------------------------

def server_security_groups(ctx: RequestContext, inst: Record) -> list[Record]:
    return list(conductor.instance_security_groups(ctx, instance_uuid=inst["uuid"]))


def _action_group(body: Any, action: str) -> str:
    """The group name of an addSecurityGroup/removeSecurityGroup body (Nova's _parse)."""
    part = body.get(action) if isinstance(body, dict) else None
    if not isinstance(part, dict):
        raise exception.Invalid("Missing parameter dict")
    if "name" not in part:
        raise exception.Invalid("Security group not specified")
    name = part["name"]
    if not isinstance(name, str) or not name.strip():
        raise exception.Invalid("Security group name cannot be empty")
    return name


def add_server_security_group(ctx: RequestContext, inst: Record, body: Any) -> None:
    name = _action_group(body, "addSecurityGroup")
    conductor.instance_add_security_group(ctx, instance_uuid=inst["uuid"], name=name)


def remove_server_security_group(ctx: RequestContext, inst: Record, body: Any) -> None:
    name = _action_group(body, "removeSecurityGroup")
    conductor.instance_remove_security_group(ctx, instance_uuid=inst["uuid"], name=name)


def requested_groups(server: Record) -> list[str]:
    """The groups a create asks for (`security_groups: [{"name": ...}]`), each once, in
    order; none: ["default"]. Unknown names are refused (400) by the conductor, in the
    transaction that creates the servers."""
    names = [g["name"] for g in server.get("security_groups") or [] if g.get("name")]
    return list(dict.fromkeys(names)) or ["default"]
