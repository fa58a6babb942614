"""OpenStack error bodies, in the dialect of each API.

Nova: {"itemNotFound": {"code": 404, "message": "..."}}
Keystone: {"error": {"code": 404, "title": "Not Found", "message": "..."}}
Glance: the same Nova-like body is accepted by its clients.
"""
from __future__ import annotations

import http
import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from stratus import exception

LOG = logging.getLogger(__name__)

NOVA_FAULT_NAMES = {
    400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
    405: "badMethod", 409: "conflictingRequest", 413: "overLimit", 415: "badMediaType",
    429: "overLimit", 431: "badRequest", 501: "notImplemented", 503: "serviceUnavailable",
}


def nova_body(code: int, message: str) -> dict[str, Any]:
    return {NOVA_FAULT_NAMES.get(code, "computeFault"): {"code": code, "message": message}}


def keystone_body(code: int, message: str) -> dict[str, Any]:
    try:
        title = http.HTTPStatus(code).phrase
    except ValueError:
        title = "Error"
    return {"error": {"code": code, "title": title, "message": message}}


def encode(content: Any) -> bytes:
    """JSON with non-ASCII characters escaped: a message that echoes what a client sent
    (a lone surrogate, say) always encodes, so an error can never become a 500."""
    return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


class SafeJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return encode(content)


def error_body(style: str, code: int, message: str) -> dict[str, Any]:
    return keystone_body(code, message) if style == "keystone" else nova_body(code, message)


def error_response(style: str, code: int, message: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    headers = dict(headers or {})
    if code == 401:
        headers["WWW-Authenticate"] = "Keystone uri='%s'" % _identity_uri()
    return SafeJSONResponse(error_body(style, code, message), status_code=code,
                            headers=headers)


def _identity_uri() -> str:
    from stratus.config import CONF
    return CONF.identity.public_endpoint


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "Invalid input for the request: " + "; ".join(parts)


def install(app: FastAPI, style: str) -> None:
    """Turn every error a handler can raise into the API's error body."""

    @app.exception_handler(exception.StratusError)
    async def _stratus_error(request: Request, exc: exception.StratusError) -> JSONResponse:
        if exc.code >= 500 and exc.code != 503:
            LOG.error("%s %s failed: %s", request.method, request.url.path, exc)
        return error_response(style, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(style, 400, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Error"
        if exc.status_code == 404 and message == "Not Found":
            message = "The resource could not be found."
        if exc.status_code == 405:
            message = "The method is not allowed for this resource."
        return error_response(style, exc.status_code, message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        LOG.exception("Unexpected error in %s %s", request.method, request.url.path)
        return error_response(style, 500, "Unexpected API Error. Please report this "
                                          "at the Stratus issue tracker with the request ID.")
