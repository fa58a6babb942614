"""/v3/auth: issuing, validating and revoking tokens; the caller's catalog and projects."""
from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from conductor.rpcapi import ConductorAPI
from identity_api import schemas, views
from stratus import exception, policy, tokens
from stratus.api import auth
from stratus.api import validation
from stratus.config import CONF
from stratus.context import RequestContext, get_admin_context
from stratus.rpc import SharedClient

router = APIRouter(prefix="/v3/auth")
conductor = SharedClient(ConductorAPI)
UNAUTHORIZED = "The request you have made requires authentication."


def _time(value: str) -> str:
    return datetime.datetime.fromisoformat(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _domain_id(domain: dict[str, Any] | None) -> str:
    """Only the default domain exists; anything else cannot authenticate."""
    if not domain or domain.get("id") == "default" or domain.get("name") == "Default":
        return "default"
    raise exception.NotAuthenticated(UNAUTHORIZED)


def _authenticate(identity: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """The user ID a request proves, and the token it re-scopes (if any)."""
    methods = identity["methods"]
    if "password" in methods:
        user = identity.get("password", {}).get("user")
        if not user or not (user.get("id") or user.get("name")):
            raise exception.ValidationError(reason="password auth needs a user id or name")
        found = conductor.identity_authenticate(
            get_admin_context(), password=user["password"], user_id=user.get("id"),
            user_name=user.get("name"), domain_id=_domain_id(user.get("domain")))
        return found["id"], None
    token_id = (identity.get("token") or {}).get("id")
    if not token_id:
        raise exception.ValidationError(reason="token auth needs a token id")
    original = auth.verified(token_id)
    return original["user_id"], original


def _scope_args(scope: Any, user: dict[str, Any]) -> dict[str, Any]:
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
                "project_domain_id": _domain_id(project.get("domain"))}
    raise exception.ValidationError(reason="scope.project needs an id or a name")


def _payload(scope: dict[str, Any], methods: list[str], original: dict[str, Any] | None,
             now: datetime.datetime) -> dict[str, Any]:
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


def token_body(payload: dict[str, Any]) -> dict[str, Any]:
    audit_ids = [payload["audit_id"]] + ([payload["parent_audit_id"]]
                                         if payload.get("parent_audit_id") else [])
    body: dict[str, Any] = {
        "methods": payload["methods"],
        "user": {"id": payload["user_id"], "name": payload["user_name"],
                 "domain": views.DEFAULT_DOMAIN, "password_expires_at": None},
        "audit_ids": audit_ids,
        "expires_at": _time(payload["expires_at"]),
        "issued_at": _time(payload["issued_at"]),
    }
    if payload.get("project_id"):
        body.update({
            "project": {"id": payload["project_id"], "name": payload["project_name"],
                        "domain": views.DEFAULT_DOMAIN},
            "is_domain": False,
            "roles": [{"id": i, "name": n} for i, n in zip(payload["role_ids"],
                                                           payload["roles"])],
            "catalog": conductor.catalog_get(get_admin_context())})
    return body


@router.post("/tokens", status_code=201)
@validation.schema(schemas.auth)
def issue(response: Response, body: Any = Body(None)) -> dict[str, Any]:
    # Issued before the user, project and roles are read: a revocation event recorded
    # after that read (user disabled meanwhile, say) is then sure to cover this token.
    now = tokens.utcnow()
    identity = body["auth"]["identity"]
    user_id, original = _authenticate(identity)
    try:
        user = conductor.identity_get(get_admin_context(), kind="user", ident=user_id)
    except exception.UserNotFound:
        raise exception.NotAuthenticated(UNAUTHORIZED) from None
    try:
        scope = conductor.identity_token_scope(
            get_admin_context(), user_id=user_id,
            **_scope_args(body["auth"].get("scope"), user))
    except exception.NotAuthenticated:
        if body["auth"].get("scope") is not None:
            raise
        scope = conductor.identity_token_scope(get_admin_context(), user_id=user_id)
    payload = _payload(scope, identity["methods"], original, now)
    response.headers["X-Subject-Token"] = tokens.issue(payload)
    return {"token": token_body(payload)}


def _subject(request: Request, ctx: RequestContext, action: str) -> dict[str, Any]:
    subject = request.headers.get("x-subject-token")
    if not subject:
        raise exception.NotFound("Could not find token: the X-Subject-Token header is "
                                 "missing.")
    try:
        payload = tokens.verify(subject)
    except exception.NotAuthenticated:
        raise exception.NotFound("Could not find token: it is invalid or expired.") from None
    policy.authorize(ctx, action, {"target.token.user_id": payload["user_id"]})
    if auth.revocations.is_revoked(payload):
        raise exception.NotFound("Could not find token: it has been revoked.")
    return payload


@router.get("/tokens")
def validate_token(request: Request, response: Response,
                   ctx: RequestContext = Depends(auth.get_context)) -> dict[str, Any]:
    payload = _subject(request, ctx, "identity:validate_token")
    response.headers["X-Subject-Token"] = request.headers["x-subject-token"]
    return {"token": token_body(payload)}


@router.head("/tokens")
def check_token(request: Request, ctx: RequestContext = Depends(auth.get_context)) -> Response:
    _subject(request, ctx, "identity:check_token")
    return Response(status_code=200)


@router.delete("/tokens", status_code=204)
def revoke_token(request: Request, ctx: RequestContext = Depends(auth.get_context)) -> Response:
    payload = _subject(request, ctx, "identity:revoke_token")
    conductor.token_revoke(ctx, audit_id=payload["audit_id"], expires_at=payload["expires_at"])
    auth.revocations.expire()
    return Response(status_code=204)


@router.get("/catalog")
def catalog(ctx: RequestContext = Depends(auth.get_context)) -> dict[str, Any]:
    return {"catalog": conductor.catalog_get(ctx),
            "links": {"self": views.base() + "/auth/catalog"}}


@router.get("/projects")
def my_projects(ctx: RequestContext = Depends(auth.get_context)) -> dict[str, Any]:
    mine = {a["project_id"] for a in conductor.role_assignment_list(ctx, user_id=ctx.user_id)}
    projects = [p for p in conductor.identity_list(ctx, kind="project") if p["id"] in mine]
    return {"projects": [views.project(p) for p in projects],
            "links": views.collection_links("auth/projects")}
