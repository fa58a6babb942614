"""The identity endpoint: projects, users, roles, role assignments, the catalog and token
revocations. Passwords are checked and hashed here; the rows are read and written by
conductor/identity/queries.py."""
from __future__ import annotations

import uuid
from typing import Any

from conductor.identity import queries
from conductor.rpcapi.identity import IdentityAPI
from stratus import exception, tokens
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

UPDATABLE = {
    "project": {"name", "description", "enabled"},
    "user": {"name", "password", "enabled", "default_project_id", "email", "description"},
    "role": {"name", "description"},
}


def expand_roles(roles: list[dict[str, Any]], role_ids: list[str]) -> list[dict[str, str]]:
    """The assigned roles plus every role they imply (admin -> member -> reader), out of
    `roles`, every role there is."""
    by_name = {r["name"]: r for r in roles}
    by_id = {r["id"]: r for r in by_name.values()}
    result: dict[str, dict[str, Any]] = {}
    pending = [by_id[i] for i in role_ids if i in by_id]
    while pending:
        role = pending.pop()
        if role["name"] in result:
            continue
        result[role["name"]] = role
        pending.extend(by_name[name] for name in role["implies"] or [] if name in by_name)
    return [{"id": r["id"], "name": r["name"]}
            for r in sorted(result.values(), key=lambda r: r["name"])]


def _changes(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The columns an update writes: updatable keys only, a password as its hash."""
    changes = {}
    for key, value in values.items():
        if key not in UPDATABLE.get(kind, ()):
            continue
        if key == "password":
            changes["password_hash"] = tokens.hash_password(value) if value else None
        else:
            changes[key] = value
    return changes


def _revoked_by(kind: str, ident: str, values: dict[str, Any]) -> dict[str, str] | None:
    """The tokens an update ends: a user's on a new password or when disabled, a
    project's when disabled."""
    if kind == "user" and ("password" in values or values.get("enabled") is False):
        return {"user_id": ident}
    if kind == "project" and values.get("enabled") is False:
        return {"project_id": ident}
    return None


class IdentityEndpoint:
    target = endpoint_target(IdentityAPI)

    # --- authentication ---------------------------------------------------

    def identity_authenticate(self, ctx: RequestContext, password: str,
                              user_id: str | None = None, user_name: str | None = None,
                              domain_id: str = "default") -> dict[str, Any]:
        user = queries.login_user(user_id, user_name, domain_id) or {}
        stored = user.pop("password_hash", None) if user.get("enabled") else None
        if not tokens.check_password(password, stored):
            raise exception.NotAuthenticated("The request you have made requires "
                                             "authentication.")
        return user

    def identity_token_scope(self, ctx: RequestContext, user_id: str,
                             project_id: str | None = None,
                             project_name: str | None = None,
                             project_domain_id: str = "default") -> dict[str, Any]:
        """User, project and effective roles for a token; 401 if not allowed."""
        user = queries.user(user_id)
        if user is None or not user["enabled"]:
            raise exception.NotAuthenticated("The user is unknown or disabled.")
        out: dict[str, Any] = {"user": user, "project": None, "roles": []}
        if project_id is None and project_name is None:
            return out
        project = queries.project(project_id, project_name, project_domain_id)
        role_ids = [] if project is None or not project["enabled"] else \
            queries.role_ids(user["id"], project["id"])
        if not role_ids:
            # One answer for a missing, disabled or foreign project: names no project.
            raise exception.NotAuthenticated(
                "The user has no role on the requested project, or it does not exist.")
        out["project"] = project
        out["roles"] = expand_roles(queries.roles(), role_ids)
        return out

    # --- projects, users, roles -------------------------------------------

    def identity_list(self, ctx: RequestContext, kind: str,
                      filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return queries.identities(kind, filters or {})

    def identity_get(self, ctx: RequestContext, kind: str, ident: str) -> dict[str, Any]:
        return queries.identity(kind, ident)

    def identity_create(self, ctx: RequestContext, kind: str,
                        values: dict[str, Any]) -> dict[str, Any]:
        values = dict(values)
        values.setdefault("id", uuid.uuid4().hex)
        if kind == "user":
            password = values.pop("password", None)
            values["password_hash"] = tokens.hash_password(password) if password else None
        return queries.create_identity(kind, values)

    def identity_update(self, ctx: RequestContext, kind: str, ident: str,
                        values: dict[str, Any]) -> dict[str, Any]:
        return queries.update_identity(kind, ident, _changes(kind, values),
                                       revoke=_revoked_by(kind, ident, values))

    def identity_delete(self, ctx: RequestContext, kind: str, ident: str) -> None:
        queries.delete_identity(kind, ident)

    # --- role assignments -------------------------------------------------

    def role_assignment_list(self, ctx: RequestContext, user_id: str | None = None,
                             project_id: str | None = None,
                             role_id: str | None = None,
                             effective: bool = False) -> list[dict[str, Any]]:
        rows = queries.role_assignments(user_id, project_id)
        if effective:
            roles = queries.roles()
            expanded = [{**row, "role_id": role["id"]} for row in rows
                        for role in expand_roles(roles, [row["role_id"]])]
            rows = list({(r["user_id"], r["project_id"], r["role_id"]): r
                         for r in expanded}.values())
        if role_id:
            rows = [r for r in rows if r["role_id"] == role_id]
        return rows

    def role_assignment_add(self, ctx: RequestContext, user_id: str, project_id: str,
                            role_id: str) -> None:
        queries.add_role_assignment(user_id, project_id, role_id)

    def role_assignment_remove(self, ctx: RequestContext, user_id: str, project_id: str,
                               role_id: str) -> None:
        queries.remove_role_assignment(user_id, project_id, role_id)

    # --- catalog ------------------------------------------------------------

    def catalog_get(self, ctx: RequestContext) -> list[dict[str, Any]]:
        """The service catalog in Keystone's token format."""
        services: dict[str, dict[str, Any]] = {}
        for row in queries.catalog_endpoints():
            service = services.setdefault(row["service_id"], {
                "id": row["service_id"], "type": row["service_type"],
                "name": row["service_name"], "endpoints": []})
            service["endpoints"].append({"id": row["id"], "interface": row["interface"],
                                         "region": row["region"], "region_id": row["region"],
                                         "url": row["url"]})
        return list(services.values())

    def catalog_set(self, ctx: RequestContext, endpoints: list[dict[str, Any]]) -> None:
        """Replace the catalog with `endpoints` (service_type, service_name,
        interface, region, url)."""
        queries.replace_catalog(endpoints)

    # --- revocations --------------------------------------------------------

    def token_revoke(self, ctx: RequestContext, audit_id: str, expires_at: str) -> None:
        """Revoke one token and every token re-scoped from it."""
        queries.revoke_token(audit_id, expires_at)

    def revocation_events(self, ctx: RequestContext, after_id: int = 0) -> list[dict[str, Any]]:
        """Unexpired events newer than `after_id`, oldest first (API processes keep a copy)."""
        return queries.revocation_events(after_id)
