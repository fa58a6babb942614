"""SQL of the identity domain: projects, users, roles, role assignments, the service
catalog and token revocation events. The only module of conductor/identity/ that touches
the database; rows leave it as dicts (a user never with its password hash)."""
from __future__ import annotations

import datetime
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.db import api as db
from conductor.db.base import utcnow
from conductor.identity.models import (CatalogEndpoint, Project, RevocationEvent, Role,
                                       RoleAssignment, User)
from stratus import exception, tokens
from stratus.config import CONF

KINDS: dict[str, tuple[type[Any], type[exception.NotFound], str]] = {
    "project": (Project, exception.ProjectNotFound, "project_id"),
    "user": (User, exception.UserNotFound, "user_id"),
    "role": (Role, exception.RoleNotFound, "role_id"),
}
FILTERABLE = {"name", "domain_id", "enabled", "default_project_id"}


# --- helpers on an open session ------------------------------------------------

def _dict(row: Any) -> dict[str, Any]:
    return db.to_dict(row, skip=("password_hash",))


def _model(kind: str) -> type[Any]:
    if kind not in KINDS:
        raise exception.Invalid(reason=f"unknown identity kind {kind}")
    return KINDS[kind][0]


def identity_row(session: Session, kind: str, ident: str) -> Any:
    """The project, user or role `ident`; its kind's NotFound if there is none."""
    row = session.get(_model(kind), ident)
    if row is None:
        _, not_found, key = KINDS[kind]
        raise not_found(**{key: ident})
    return row


def lock_project(session: Session, project_id: str) -> None:
    """Lock the project's row (which always exists) until the transaction ends."""
    session.execute(sa.select(Project.id).where(Project.id == project_id).with_for_update())


def add_revocation(session: Session, issued_before: int | None = None,
                   expires_at: datetime.datetime | None = None, **match: str) -> None:
    """Record that tokens matching `match` issued until now are no longer valid; drop the
    events no unexpired token can match any more."""
    now = utcnow()
    session.execute(sa.delete(RevocationEvent).where(RevocationEvent.expires_at < now))
    session.add(RevocationEvent(
        issued_before=tokens.micros(now) if issued_before is None else issued_before,
        expires_at=expires_at or now + token_lifetime(), **match))


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(seconds=CONF.identity.token_expiration)


# --- users, projects, roles --------------------------------------------------------

def login_user(user_id: str | None, user_name: str | None,
               domain_id: str) -> dict[str, Any] | None:
    """The user `user_id`, or the one named `user_name` in `domain_id`, with its
    password hash."""
    with db.reader() as s:
        if user_id:
            user = s.get(User, user_id)
        else:
            user = s.scalar(sa.select(User).where(User.name == user_name,
                                                  User.domain_id == domain_id))
        return None if user is None else db.to_dict(user)


def user(user_id: str) -> dict[str, Any] | None:
    with db.reader() as s:
        row = s.get(User, user_id)
        return None if row is None else _dict(row)


def project(project_id: str | None, project_name: str | None,
            domain_id: str) -> dict[str, Any] | None:
    """The project `project_id`, or the one named `project_name` in `domain_id`."""
    with db.reader() as s:
        if project_id:
            row = s.get(Project, project_id)
        else:
            row = s.scalar(sa.select(Project).where(Project.name == project_name,
                                                    Project.domain_id == domain_id))
        return None if row is None else _dict(row)


def role_ids(user_id: str, project_id: str) -> list[str]:
    """The roles assigned to the user on the project (not those they imply)."""
    with db.reader() as s:
        return list(s.scalars(sa.select(RoleAssignment.role_id).where(
            RoleAssignment.user_id == user_id, RoleAssignment.project_id == project_id)))


def roles() -> list[dict[str, Any]]:
    with db.reader() as s:
        return [_dict(r) for r in s.scalars(sa.select(Role))]


def identities(kind: str, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Projects, users or roles by name, those whose filterable columns match."""
    model = _model(kind)
    with db.reader() as s:
        query = sa.select(model).order_by(model.name)
        for key, value in filters.items():
            if key in FILTERABLE and hasattr(model, key):
                query = query.where(getattr(model, key) == value)
        return [_dict(r) for r in s.scalars(query)]


def identity(kind: str, ident: str) -> dict[str, Any]:
    with db.reader() as s:
        return _dict(identity_row(s, kind, ident))


def create_identity(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Insert a project, user or role; Duplicate if its id or name is taken."""
    model = _model(kind)
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
        return _dict(row)


def update_identity(kind: str, ident: str, changes: dict[str, Any],
                    revoke: dict[str, str] | None = None) -> dict[str, Any]:
    """Write `changes` (column values); with `revoke`, also revoke the tokens matching
    it."""
    with db.writer() as s:
        row = identity_row(s, kind, ident)
        for key, value in changes.items():
            setattr(row, key, value)
        s.flush()
        if revoke:
            add_revocation(s, **revoke)
        return _dict(row)


def delete_identity(kind: str, ident: str) -> None:
    """Delete it with its role assignments, and revoke the tokens it is in."""
    with db.writer() as s:
        row = identity_row(s, kind, ident)
        column = {"project": RoleAssignment.project_id, "user": RoleAssignment.user_id,
                  "role": RoleAssignment.role_id}[kind]
        s.execute(sa.delete(RoleAssignment).where(column == ident))
        s.delete(row)
        add_revocation(s, **{f"{kind}_id": ident})


# --- role assignments ----------------------------------------------------------------

def role_assignments(user_id: str | None, project_id: str | None) -> list[dict[str, Any]]:
    with db.reader() as s:
        query = sa.select(RoleAssignment)
        if user_id:
            query = query.where(RoleAssignment.user_id == user_id)
        if project_id:
            query = query.where(RoleAssignment.project_id == project_id)
        return [db.to_dict(r) for r in s.scalars(query)]


def add_role_assignment(user_id: str, project_id: str, role_id: str) -> None:
    """Assign the role (once); NotFound if the user, project or role is missing."""
    with db.writer() as s:
        identity_row(s, "user", user_id)
        identity_row(s, "project", project_id)
        identity_row(s, "role", role_id)
        if s.get(RoleAssignment, (user_id, project_id, role_id)) is None:
            s.add(RoleAssignment(user_id=user_id, project_id=project_id, role_id=role_id))


def remove_role_assignment(user_id: str, project_id: str, role_id: str) -> None:
    """Unassign the role and revoke the user's tokens on the project."""
    with db.writer() as s:
        row = s.get(RoleAssignment, (user_id, project_id, role_id))
        if row is None:
            raise exception.RoleAssignmentNotFound()
        s.delete(row)
        add_revocation(s, user_id=user_id, project_id=project_id)


# --- catalog ---------------------------------------------------------------------------

def catalog_endpoints() -> list[dict[str, Any]]:
    """Every endpoint, by service type and interface."""
    with db.reader() as s:
        return [db.to_dict(r) for r in s.scalars(sa.select(CatalogEndpoint).order_by(
            CatalogEndpoint.service_type, CatalogEndpoint.interface))]


def replace_catalog(endpoints: list[dict[str, Any]]) -> None:
    """Make the catalog `endpoints` (service_type, service_name, interface, region, url),
    keeping the ids of the endpoints and services that stay."""
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


# --- revocations -------------------------------------------------------------------------

def revoke_token(audit_id: str, expires_at: str) -> None:
    """Revoke the token `audit_id` (and those re-scoped from it) until it expires."""
    expires = db.parse_time(expires_at) or utcnow() + token_lifetime()
    with db.writer() as s:
        add_revocation(s, audit_id=audit_id, issued_before=tokens.micros(expires),
                       expires_at=expires)


def revocation_events(after_id: int) -> list[dict[str, Any]]:
    """Unexpired events newer than `after_id`, oldest first."""
    with db.reader() as s:
        rows = s.scalars(sa.select(RevocationEvent).where(
            RevocationEvent.id > after_id, RevocationEvent.expires_at >= utcnow())
            .order_by(RevocationEvent.id))
        return [db.to_dict(r) for r in rows]
