"""The FastAPI application factory every REST service uses."""
from __future__ import annotations

from fastapi import FastAPI

from stratus.api import errors
from stratus.api.input_guard import InputGuardMiddleware
from stratus.api.request_id import RequestIdMiddleware


def make_app(title: str, error_style: str,
             extra_request_id_headers: tuple[str, ...] = ()) -> FastAPI:
    """An app whose errors are in `error_style` ("nova" or "keystone"); the launcher's HTTP
    server answers requests it cannot parse in the same style (app.state.error_style)."""
    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.error_style = error_style
    errors.install(app, error_style)
    # Added first, so it runs inside the request ID stamping: its refusals carry an ID.
    app.add_middleware(InputGuardMiddleware, style=error_style)
    app.add_middleware(RequestIdMiddleware, extra_headers=extra_request_id_headers)
    return app
