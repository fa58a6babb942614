"""Users, projects and roles, role assignments (grants) and the one domain, behind the
/v3 resource handlers."""
from __future__ import annotations

from typing import Any

from identity_api.service.clients import conductor
from stratus import exception
from stratus.api.revocations import revocations
from stratus.context import RequestContext

DEFAULT_DOMAIN_ID = "default"
# What a create request may set; the rest of the body (domain_id, tags, options...) is
# accepted and ignored, as are nulls.
CREATABLE = frozenset({"name", "description", "enabled", "password", "default_project_id",
                       "email"})
NAMED_KINDS = ("user", "project", "role")


def check_domain(values: dict[str, Any]) -> None:
    """Only the default domain exists: a body naming another is refused."""
    if values.get("domain_id") not in (None, DEFAULT_DOMAIN_ID):
        raise exception.ValidationError(reason="Only the default domain exists.")


def creatable(values: dict[str, Any]) -> dict[str, Any]:
    """The values of a create request that are stored."""
    return {k: v for k, v in values.items() if k in CREATABLE and v is not None}


# --- users, projects, roles ------------------------------------------------------------

def list_entities(ctx: RequestContext, kind: str,
                  filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Users, projects or roles (`kind`) matching the filters."""
    rows: list[dict[str, Any]] = conductor.identity_list(ctx, kind=kind, filters=filters)
    return rows


def get_entity(ctx: RequestContext, kind: str, ident: str) -> dict[str, Any]:
    entity: dict[str, Any] = conductor.identity_get(ctx, kind=kind, ident=ident)
    return entity


def create_entity(ctx: RequestContext, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    check_domain(values)
    created: dict[str, Any] = conductor.identity_create(ctx, kind=kind,
                                                        values=creatable(values))
    return created


def update_entity(ctx: RequestContext, kind: str, ident: str,
                  values: dict[str, Any]) -> dict[str, Any]:
    """Change one; disabling a user or project, or a new password, revokes tokens, which
    this process's revocation cache then sees at once."""
    check_domain(values)
    updated: dict[str, Any] = conductor.identity_update(ctx, kind=kind, ident=ident,
                                                        values=values)
    revocations.expire()
    return updated


def delete_entity(ctx: RequestContext, kind: str, ident: str) -> None:
    """Delete one, with its tokens (seen at once by this process's revocation cache)."""
    conductor.identity_delete(ctx, kind=kind, ident=ident)
    revocations.expire()


# --- a user's projects -----------------------------------------------------------------

def _projects_of(ctx: RequestContext, user_id: str | None) -> list[dict[str, Any]]:
    """The projects on which the user has a role."""
    mine = {a["project_id"] for a in conductor.role_assignment_list(ctx, user_id=user_id)}
    return [p for p in conductor.identity_list(ctx, kind="project") if p["id"] in mine]


def user_projects(ctx: RequestContext, user_id: str) -> list[dict[str, Any]]:
    """The projects of a user that must exist (404 otherwise)."""
    conductor.identity_get(ctx, kind="user", ident=user_id)
    return _projects_of(ctx, user_id)


def caller_projects(ctx: RequestContext) -> list[dict[str, Any]]:
    """The projects the caller may scope a token to."""
    return _projects_of(ctx, ctx.user_id)


# --- grants and role assignments -------------------------------------------------------

def grant_roles(ctx: RequestContext, project_id: str, user_id: str) -> list[dict[str, Any]]:
    """The roles the user has on the project."""
    ids = {a["role_id"] for a in conductor.role_assignment_list(
        ctx, user_id=user_id, project_id=project_id)}
    return [r for r in conductor.identity_list(ctx, kind="role") if r["id"] in ids]


def add_grant(ctx: RequestContext, project_id: str, user_id: str, role_id: str) -> None:
    conductor.role_assignment_add(ctx, user_id=user_id, project_id=project_id, role_id=role_id)


def has_grant(ctx: RequestContext, project_id: str, user_id: str, role_id: str) -> bool:
    return bool(conductor.role_assignment_list(ctx, user_id=user_id, project_id=project_id,
                                               role_id=role_id))


def remove_grant(ctx: RequestContext, project_id: str, user_id: str, role_id: str) -> None:
    """Take the role away; the tokens that carried it are revoked, at once here."""
    conductor.role_assignment_remove(ctx, user_id=user_id, project_id=project_id,
                                     role_id=role_id)
    revocations.expire()


def list_role_assignments(ctx: RequestContext, *, user_id: str | None = None,
                          project_id: str | None = None, role_id: str | None = None,
                          effective: bool = False,
                          include_names: bool = False) -> list[dict[str, Any]]:
    """Role assignments matching the filters, each {"user_id", "project_id", "role_id"};
    with `include_names`, also "user_name", "project_name" and "role_name" for those
    whose id names an existing user, project or role."""
    rows = conductor.role_assignment_list(ctx, user_id=user_id, project_id=project_id,
                                          role_id=role_id, effective=effective)
    names: dict[str, str] = {}
    if include_names:
        for kind in NAMED_KINDS:
            names.update({r["id"]: r["name"] for r in conductor.identity_list(ctx, kind=kind)})
    out = []
    for row in rows:
        item = {"user_id": row["user_id"], "project_id": row["project_id"],
                "role_id": row["role_id"]}
        for kind in NAMED_KINDS:
            if item[f"{kind}_id"] in names:
                item[f"{kind}_name"] = names[item[f"{kind}_id"]]
        out.append(item)
    return out


# --- domains ---------------------------------------------------------------------------

def get_domain(domain_id: str) -> str:
    """The id of the domain, which must be the default one (404 otherwise)."""
    if domain_id != DEFAULT_DOMAIN_ID:
        raise exception.DomainNotFound(domain_id=domain_id)
    return domain_id
