"""The identity API application: a Keystone v3 subset."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from identity_api import resources, tokens, views
from stratus.api.app import make_app


def create_app() -> FastAPI:
    app = make_app("stratus-identity", "keystone")

    @app.get("/")
    def versions() -> JSONResponse:
        return JSONResponse({"versions": {"values": [views.version()]}}, status_code=300)

    @app.get("/v3")
    @app.get("/v3/")
    def v3() -> dict[str, Any]:
        return {"version": views.version()}

    app.include_router(tokens.router)
    app.include_router(resources.router)
    return app
