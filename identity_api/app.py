"""The identity API application: a Keystone v3 subset."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from conductor import revocation_events
from identity_api import resources, tokens, views
from stratus import launcher
from stratus.api.app import make_app
from stratus.api.revocations import revocations
from stratus.config import CONF
from stratus.plugins import ServicePlugin


def create_app() -> FastAPI:
    revocations.use(revocation_events)
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


def listen() -> tuple[str, int]:
    return CONF.identity.listen, CONF.identity.port


PLUGIN = ServicePlugin(name="identity_api", app=create_app, listen=listen)


def main() -> None:
    """stratus-identity: the identity REST API on its own."""
    launcher.main(["identity_api"])
