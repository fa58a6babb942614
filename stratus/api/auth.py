"""Authentication of API requests by X-Auth-Token."""
from __future__ import annotations

import threading
import time

from fastapi import Request

from stratus import exception, tokens
from stratus.context import RequestContext

# How long a process trusts its copy of the revocation list. Revocations made
# through this process's identity API take effect at once (see `forget`).
REVOCATION_CACHE_SECONDS = 5.0


class RevocationCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revoked: set[str] = set()
        self._fetched_at = 0.0

    def is_revoked(self, audit_id: str) -> bool:
        if time.monotonic() - self._fetched_at > REVOCATION_CACHE_SECONDS:
            self.refresh()
        return audit_id in self._revoked

    def refresh(self) -> None:
        from conductor.rpcapi import ConductorAPI
        from stratus.context import get_admin_context
        revoked = ConductorAPI().token_revocation_list(get_admin_context())
        with self._lock:
            self._revoked = set(revoked)
            self._fetched_at = time.monotonic()

    def add(self, audit_id: str) -> None:
        with self._lock:
            self._revoked.add(audit_id)

    def clear(self) -> None:
        with self._lock:
            self._revoked = set()
            self._fetched_at = 0.0


revocations = RevocationCache()


def context_from_token(token: str | None, request_id: str | None = None) -> RequestContext:
    if not token:
        raise exception.NotAuthenticated()
    payload = tokens.verify(token)
    if revocations.is_revoked(payload["audit_id"]):
        raise exception.NotAuthenticated("The token has been revoked.")
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
