"""Authentication of API requests by X-Auth-Token."""
from __future__ import annotations

from typing import Any

from fastapi import Request

from stratus import exception, tokens
from stratus.api.revocations import revocations
from stratus.context import RequestContext

__all__ = ["context_from_token", "get_context", "get_project_context", "revocations",
           "verified"]


def verified(token: str) -> dict[str, Any]:
    """The payload of a genuine, unexpired and unrevoked token; 401 otherwise."""
    payload = tokens.verify(token)
    if revocations.is_revoked(payload):
        raise exception.NotAuthenticated("The token has been revoked.")
    return payload


def context_from_token(token: str | None, request_id: str | None = None) -> RequestContext:
    if not token:
        raise exception.NotAuthenticated()
    payload = verified(token)
    ctx = RequestContext(user_id=payload["user_id"], project_id=payload.get("project_id"),
                         roles=list(payload.get("roles", [])),
                         user_name=payload.get("user_name"),
                         project_name=payload.get("project_name"), auth_token=token)
    if request_id:
        ctx.request_id = request_id
    return ctx


def get_context(request: Request) -> RequestContext:
    """FastAPI dependency: the caller's context, or 401."""
    return context_from_token(request.headers.get("x-auth-token"),
                              getattr(request.state, "request_id", None))


def get_project_context(request: Request) -> RequestContext:
    """FastAPI dependency of the project-scoped APIs (compute, image): the caller's
    context; 401 without a valid token, 403 for an unscoped one."""
    ctx = get_context(request)
    if not ctx.project_id:
        raise exception.Forbidden("This API needs a project-scoped token; this one is "
                                  "unscoped.")
    return ctx
