"""The FastAPI application factory every REST service uses."""
from __future__ import annotations

from fastapi import FastAPI

from stratus.api import errors
from stratus.api.request_id import RequestIdMiddleware


def make_app(title: str, error_style: str,
             extra_request_id_headers: tuple[str, ...] = ()) -> FastAPI:
    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)
    errors.install(app, error_style)
    app.add_middleware(RequestIdMiddleware, extra_headers=extra_request_id_headers)
    return app
