"""ASGI middleware stamping every response with its request ID."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from stratus.context import new_request_id

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]],
                   Awaitable[None]]


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp, extra_headers: tuple[str, ...] = ()) -> None:
        self.app = app
        self.header_names = [b"x-openstack-request-id", *(h.encode() for h in extra_headers)]

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(name, request_id.encode()) for name in self.header_names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_id)
