"""Tokens: issuing (password or token authentication, project scope), validating and
revoking them; the service catalog."""
from __future__ import annotations

import datetime
from typing import Any

from identity_api.service.clients import conductor
from identity_api.service.resources import DEFAULT_DOMAIN_ID
from stratus import exception, tokens
from stratus.api.revocations import revocations, verified
from stratus.config import CONF
from stratus.context import RequestContext, get_admin_context

UNAUTHORIZED = "The request you have made requires authentication."


def domain_id(domain: dict[str, Any] | None) -> str:
    """Only the default domain exists; anything else cannot authenticate."""
    if not domain or domain.get("id") == DEFAULT_DOMAIN_ID or domain.get("name") == "Default":
        return DEFAULT_DOMAIN_ID
    raise exception.NotAuthenticated(UNAUTHORIZED)


def authenticate(identity: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """The user ID an identity proves, and the token it re-scopes (if any)."""
    methods = identity["methods"]
    if "password" in methods:
        user = identity.get("password", {}).get("user")
        if not user or not (user.get("id") or user.get("name")):
            raise exception.ValidationError(reason="password auth needs a user id or name")
        found = conductor.identity_authenticate(
            get_admin_context(), password=user["password"], user_id=user.get("id"),
            user_name=user.get("name"), domain_id=domain_id(user.get("domain")))
        return found["id"], None
    token_id = (identity.get("token") or {}).get("id")
    if not token_id:
        raise exception.ValidationError(reason="token auth needs a token id")
    original = verified(token_id)
    return original["user_id"], original


def scope_args(scope: Any, user: dict[str, Any]) -> dict[str, Any]:
    """The project a token is scoped to, as arguments of identity_token_scope: the one
    named, or the user's default project when no scope is asked for."""
    if scope is None:
        return {"project_id": user.get("default_project_id")} \
            if user.get("default_project_id") else {}
    if not isinstance(scope, dict) or "project" not in scope:
        raise exception.NotAuthenticated("Only project scope is supported.")
    project = scope["project"] or {}
    if project.get("id"):
        return {"project_id": project["id"]}
    if project.get("name"):
        return {"project_name": project["name"],
                "project_domain_id": domain_id(project.get("domain"))}
    raise exception.ValidationError(reason="scope.project needs an id or a name")


def token_payload(scope: dict[str, Any], methods: list[str], original: dict[str, Any] | None,
                  now: datetime.datetime) -> dict[str, Any]:
    """What a new token says; a re-scoped token never outlives the one it came from."""
    expires = now + datetime.timedelta(seconds=CONF.identity.token_expiration)
    if original is not None:
        expires = min(expires, datetime.datetime.fromisoformat(original["expires_at"]))
    project = scope["project"] or {}
    return {"user_id": scope["user"]["id"], "user_name": scope["user"]["name"],
            "project_id": project.get("id"), "project_name": project.get("name"),
            "roles": [r["name"] for r in scope["roles"]],
            "role_ids": [r["id"] for r in scope["roles"]], "methods": methods,
            "audit_id": tokens.new_audit_id(),
            "parent_audit_id": original["audit_id"] if original else None,
            "issued_at": now.isoformat(), "expires_at": expires.isoformat()}


def catalog_of(payload: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The catalog a project-scoped token carries; None for an unscoped one."""
    if not payload.get("project_id"):
        return None
    catalog: list[dict[str, Any]] = conductor.catalog_get(get_admin_context())
    return catalog


def issue_token(identity: dict[str, Any], scope: Any = None) -> dict[str, Any]:
    """A new token for the identity, scoped as asked (or to the user's default project,
    else unscoped, when no scope is asked for): {"id", "payload", "catalog"}."""
    # Issued before the user, project and roles are read: a revocation event recorded
    # after that read (user disabled meanwhile, say) is then sure to cover this token.
    now = tokens.utcnow()
    user_id, original = authenticate(identity)
    try:
        user = conductor.identity_get(get_admin_context(), kind="user", ident=user_id)
    except exception.UserNotFound:
        raise exception.NotAuthenticated(UNAUTHORIZED) from None
    try:
        roles = conductor.identity_token_scope(get_admin_context(), user_id=user_id,
                                               **scope_args(scope, user))
    except exception.NotAuthenticated:
        if scope is not None:
            raise
        roles = conductor.identity_token_scope(get_admin_context(), user_id=user_id)
    payload = token_payload(roles, identity["methods"], original, now)
    return {"id": tokens.issue(payload), "payload": payload, "catalog": catalog_of(payload)}


def subject_payload(subject: str) -> dict[str, Any]:
    """The payload of the token a request is about (X-Subject-Token); 404 if it is not a
    genuine, unexpired token. Revocation is checked once the caller is authorized."""
    try:
        return tokens.verify(subject)
    except exception.NotAuthenticated:
        raise exception.NotFound("Could not find token: it is invalid or expired.") from None


def check_token(ctx: RequestContext, payload: dict[str, Any]) -> None:
    """404 when the subject token has been revoked."""
    if revocations.is_revoked(payload):
        raise exception.NotFound("Could not find token: it has been revoked.")


def validate_token(ctx: RequestContext, payload: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The catalog the (unrevoked) subject token carries."""
    check_token(ctx, payload)
    return catalog_of(payload)


def revoke_token(ctx: RequestContext, payload: dict[str, Any]) -> None:
    """Revoke the (unrevoked) subject token and those re-scoped from it; this process's
    revocation cache sees it at once."""
    check_token(ctx, payload)
    conductor.token_revoke(ctx, audit_id=payload["audit_id"], expires_at=payload["expires_at"])
    revocations.expire()


def catalog(ctx: RequestContext) -> list[dict[str, Any]]:
    endpoints: list[dict[str, Any]] = conductor.catalog_get(ctx)
    return endpoints
