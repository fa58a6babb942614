"""Authentication of API requests by X-Auth-Token."""
from __future__ import annotations

from fastapi import Request

from stratus import exception
from stratus.api.revocations import verified
from stratus.context import RequestContext

__all__ = ["context_from_token", "get_context", "get_project_context", "verified"]


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
