"""Projects, users, roles, role assignments, the catalog and token revocations."""
from __future__ import annotations

import datetime
import uuid
from typing import Any

import sqlalchemy as sa

from conductor.db import api as db
from conductor.db.models import (CatalogEndpoint, Project, RevocationEvent, Role,
                                 RoleAssignment, User, utcnow)
from conductor.rpcapi import ConductorAPI
from stratus import exception, tokens
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

KINDS: dict[str, tuple[type[Any], type[exception.NotFound], str]] = {
    "project": (Project, exception.ProjectNotFound, "project_id"),
    "user": (User, exception.UserNotFound, "user_id"),
    "role": (Role, exception.RoleNotFound, "role_id"),
}
FILTERABLE = {"name", "domain_id", "enabled", "default_project_id"}
UPDATABLE = {
    "project": {"name", "description", "enabled"},
    "user": {"name", "password", "enabled", "default_project_id", "email", "description"},
    "role": {"name", "description"},
}


def _user_dict(row: User) -> dict[str, Any]:
    return db.to_dict(row, skip=("password_hash",))


def _row_dict(kind: str, row: Any) -> dict[str, Any]:
    return _user_dict(row) if kind == "user" else db.to_dict(row)


def _model(kind: str) -> tuple[type[Any], type[exception.NotFound], str]:
    if kind not in KINDS:
        raise exception.Invalid(reason=f"unknown identity kind {kind}")
    return KINDS[kind]


def _get(session: sa.orm.Session, kind: str, ident: str) -> Any:
    model, not_found, key = _model(kind)
    row = session.get(model, ident)
    if row is None:
        raise not_found(**{key: ident})
    return row


def _expand_roles(session: sa.orm.Session, role_ids: list[str]) -> list[dict[str, str]]:
    """The assigned roles plus every role they imply (admin -> member -> reader)."""
    roles = {r.name: r for r in session.scalars(sa.select(Role))}
    by_id = {r.id: r for r in roles.values()}
    result: dict[str, Role] = {}
    pending = [by_id[i] for i in role_ids if i in by_id]
    while pending:
        role = pending.pop()
        if role.name in result:
            continue
        result[role.name] = role
        pending.extend(roles[name] for name in role.implies or [] if name in roles)
    return [{"id": r.id, "name": r.name} for r in sorted(result.values(), key=lambda r: r.name)]


class IdentityEndpoint:
    target = endpoint_target(ConductorAPI)

    # --- authentication ---------------------------------------------------

    def identity_authenticate(self, ctx: RequestContext, password: str,
                              user_id: str | None = None, user_name: str | None = None,
                              domain_id: str = "default") -> dict[str, Any]:
        with db.reader() as s:
            if user_id:
                user = s.get(User, user_id)
            else:
                user = s.scalar(sa.select(User).where(User.name == user_name,
                                                      User.domain_id == domain_id))
            stored = user.password_hash if user is not None and user.enabled else None
            if not tokens.check_password(password, stored):
                raise exception.NotAuthenticated("The request you have made requires "
                                                 "authentication.")
            return _user_dict(user)

    def identity_token_scope(self, ctx: RequestContext, user_id: str,
                             project_id: str | None = None,
                             project_name: str | None = None,
                             project_domain_id: str = "default") -> dict[str, Any]:
        """User, project and effective roles for a token; 401 if not allowed."""
        with db.reader() as s:
            user = s.get(User, user_id)
            if user is None or not user.enabled:
                raise exception.NotAuthenticated("The user is unknown or disabled.")
            out: dict[str, Any] = {"user": _user_dict(user), "project": None, "roles": []}
            if project_id is None and project_name is None:
                return out
            if project_id:
                project = s.get(Project, project_id)
            else:
                project = s.scalar(sa.select(Project).where(
                    Project.name == project_name, Project.domain_id == project_domain_id))
            role_ids = [] if project is None or not project.enabled else list(s.scalars(
                sa.select(RoleAssignment.role_id).where(
                    RoleAssignment.user_id == user.id,
                    RoleAssignment.project_id == project.id)))
            if not role_ids:
                # One answer for a missing, disabled or foreign project: names no project.
                raise exception.NotAuthenticated(
                    "The user has no role on the requested project, or it does not exist.")
            out["project"] = db.to_dict(project)
            out["roles"] = _expand_roles(s, role_ids)
            return out

    # --- projects, users, roles -------------------------------------------

    def identity_list(self, ctx: RequestContext, kind: str,
                      filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        model, _nf, _key = _model(kind)
        with db.reader() as s:
            query = sa.select(model).order_by(model.name)
            for key, value in (filters or {}).items():
                if key in FILTERABLE and hasattr(model, key):
                    query = query.where(getattr(model, key) == value)
            return [_row_dict(kind, r) for r in s.scalars(query)]

    def identity_get(self, ctx: RequestContext, kind: str, ident: str) -> dict[str, Any]:
        with db.reader() as s:
            return _row_dict(kind, _get(s, kind, ident))

    def identity_create(self, ctx: RequestContext, kind: str,
                        values: dict[str, Any]) -> dict[str, Any]:
        model, _nf, _key = _model(kind)
        values = dict(values)
        values.setdefault("id", uuid.uuid4().hex)
        if kind == "user":
            password = values.pop("password", None)
            values["password_hash"] = tokens.hash_password(password) if password else None
        with db.writer() as s:
            if s.get(model, values["id"]) is not None:
                raise exception.Duplicate(reason=f"Conflicting {kind} ID {values['id']}.")
            row = model(**values)
            s.add(row)
            try:
                s.flush()
            except sa.exc.IntegrityError as e:
                raise exception.Duplicate(
                    reason=f"Duplicate entry found with name {values.get('name')}.") from e
            return _row_dict(kind, row)

    def identity_update(self, ctx: RequestContext, kind: str, ident: str,
                        values: dict[str, Any]) -> dict[str, Any]:
        with db.writer() as s:
            row = _get(s, kind, ident)
            for key, value in values.items():
                if key not in UPDATABLE[kind]:
                    continue
                if key == "password":
                    row.password_hash = tokens.hash_password(value) if value else None
                else:
                    setattr(row, key, value)
            s.flush()
            if kind == "user" and ("password" in values or values.get("enabled") is False):
                _revoke(s, user_id=ident)
            if kind == "project" and values.get("enabled") is False:
                _revoke(s, project_id=ident)
            return _row_dict(kind, row)

    def identity_delete(self, ctx: RequestContext, kind: str, ident: str) -> None:
        with db.writer() as s:
            row = _get(s, kind, ident)
            column = {"project": RoleAssignment.project_id, "user": RoleAssignment.user_id,
                      "role": RoleAssignment.role_id}[kind]
            s.execute(sa.delete(RoleAssignment).where(column == ident))
            s.delete(row)
            _revoke(s, **{f"{kind}_id": ident})

    # --- role assignments -------------------------------------------------

    def role_assignment_list(self, ctx: RequestContext, user_id: str | None = None,
                             project_id: str | None = None,
                             role_id: str | None = None,
                             effective: bool = False) -> list[dict[str, Any]]:
        with db.reader() as s:
            query = sa.select(RoleAssignment)
            if user_id:
                query = query.where(RoleAssignment.user_id == user_id)
            if project_id:
                query = query.where(RoleAssignment.project_id == project_id)
            rows = [db.to_dict(r) for r in s.scalars(query)]
            if effective:
                expanded = []
                for row in rows:
                    for role in _expand_roles(s, [row["role_id"]]):
                        expanded.append({**row, "role_id": role["id"]})
                rows = list({(r["user_id"], r["project_id"], r["role_id"]): r
                             for r in expanded}.values())
            if role_id:
                rows = [r for r in rows if r["role_id"] == role_id]
            return rows

    def role_assignment_add(self, ctx: RequestContext, user_id: str, project_id: str,
                            role_id: str) -> None:
        with db.writer() as s:
            _get(s, "user", user_id)
            _get(s, "project", project_id)
            _get(s, "role", role_id)
            if s.get(RoleAssignment, (user_id, project_id, role_id)) is None:
                s.add(RoleAssignment(user_id=user_id, project_id=project_id, role_id=role_id))

    def role_assignment_remove(self, ctx: RequestContext, user_id: str, project_id: str,
                               role_id: str) -> None:
        with db.writer() as s:
            row = s.get(RoleAssignment, (user_id, project_id, role_id))
            if row is None:
                raise exception.RoleAssignmentNotFound()
            s.delete(row)
            _revoke(s, user_id=user_id, project_id=project_id)

    # --- catalog ------------------------------------------------------------

    def catalog_get(self, ctx: RequestContext) -> list[dict[str, Any]]:
        """The service catalog in Keystone's token format."""
        with db.reader() as s:
            rows = list(s.scalars(sa.select(CatalogEndpoint).order_by(
                CatalogEndpoint.service_type, CatalogEndpoint.interface)))
        services: dict[str, dict[str, Any]] = {}
        for row in rows:
            service = services.setdefault(row.service_id, {
                "id": row.service_id, "type": row.service_type, "name": row.service_name,
                "endpoints": []})
            service["endpoints"].append({"id": row.id, "interface": row.interface,
                                         "region": row.region, "region_id": row.region,
                                         "url": row.url})
        return list(services.values())

    def catalog_set(self, ctx: RequestContext, endpoints: list[dict[str, Any]]) -> None:
        """Replace the catalog with `endpoints` (service_type, service_name,
        interface, region, url)."""
        with db.writer() as s:
            existing = {(r.service_type, r.interface, r.region): r
                        for r in s.scalars(sa.select(CatalogEndpoint))}
            service_ids = {r.service_type: r.service_id for r in existing.values()}
            wanted = set()
            for ep in endpoints:
                key = (ep["service_type"], ep["interface"], ep["region"])
                wanted.add(key)
                row = existing.get(key)
                if row is None:
                    service_id = service_ids.setdefault(ep["service_type"], uuid.uuid4().hex)
                    row = CatalogEndpoint(id=uuid.uuid4().hex, service_id=service_id,
                                          service_type=ep["service_type"],
                                          interface=ep["interface"], region=ep["region"])
                    s.add(row)
                row.service_name = ep["service_name"]
                row.url = ep["url"]
            for key, row in existing.items():
                if key not in wanted:
                    s.delete(row)

    # --- revocations --------------------------------------------------------

    def token_revoke(self, ctx: RequestContext, audit_id: str, expires_at: str) -> None:
        """Revoke one token and every token re-scoped from it."""
        expires = db.parse_time(expires_at) or utcnow() + _token_lifetime()
        with db.writer() as s:
            _revoke(s, audit_id=audit_id, issued_before=tokens.micros(expires),
                    expires_at=expires)

    def revocation_events(self, ctx: RequestContext, after_id: int = 0) -> list[dict[str, Any]]:
        """Unexpired events newer than `after_id`, oldest first (API processes keep a copy)."""
        with db.reader() as s:
            rows = s.scalars(sa.select(RevocationEvent).where(
                RevocationEvent.id > after_id, RevocationEvent.expires_at >= utcnow())
                .order_by(RevocationEvent.id))
            return [db.to_dict(r) for r in rows]

    def token_revocation_list(self, ctx: RequestContext) -> list[str]:
        """The revoked audit ids, for API processes older than 1.3 during an upgrade."""
        with db.reader() as s:
            return list(s.scalars(sa.select(RevocationEvent.audit_id).where(
                RevocationEvent.audit_id.is_not(None),
                RevocationEvent.expires_at >= utcnow())))


def _token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(seconds=CONF.identity.token_expiration)


def _revoke(session: sa.orm.Session, issued_before: int | None = None,
            expires_at: datetime.datetime | None = None, **match: str) -> None:
    """Record that tokens matching `match` issued until now are no longer valid; drop the
    events no unexpired token can match any more."""
    now = utcnow()
    session.execute(sa.delete(RevocationEvent).where(RevocationEvent.expires_at < now))
    session.add(RevocationEvent(
        issued_before=tokens.micros(now) if issued_before is None else issued_before,
        expires_at=expires_at or now + _token_lifetime(), **match))
