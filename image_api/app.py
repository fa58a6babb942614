"""The image API application: a Glance v2 subset with a filesystem store."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from conductor import revocation_events
from image_api import images, schemas, service
from stratus import launcher
from stratus.api.app import make_app
from stratus.api.revocations import revocations
from stratus.config import CONF
from stratus.plugins import ServicePlugin

VERSIONS = ["2.16", "2.15", "2.9", "2.7", "2.6", "2.5", "2.4", "2.3", "2.2", "2.1", "2.0"]


def _versions() -> dict[str, Any]:
    href = CONF.image.public_endpoint.rstrip("/") + "/v2/"
    return {"versions": [{"id": f"v{v}", "status": "CURRENT" if i == 0 else "SUPPORTED",
                          "links": [{"rel": "self", "href": href}]}
                         for i, v in enumerate(VERSIONS)]}


def create_app() -> FastAPI:
    revocations.use(revocation_events)
    app = make_app("stratus-image", "nova")

    @app.get("/")
    def root() -> JSONResponse:
        return JSONResponse(_versions(), status_code=300)

    @app.get("/versions")
    def versions() -> dict[str, Any]:
        return _versions()

    @app.get("/v2/schemas/image")
    def image_schema() -> dict[str, Any]:
        return schemas.image_document()

    @app.get("/v2/schemas/images")
    def images_schema() -> dict[str, Any]:
        return {"name": "images", "properties": {
            "images": {"type": "array", "items": schemas.image_document()},
            "schema": {"type": "string"}, "first": {"type": "string"},
            "next": {"type": "string"}},
            "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"},
                      {"rel": "describedby", "href": "{schema}"}]}

    @app.get("/v2/info/import")
    def import_info() -> dict[str, Any]:
        return {"import-methods": {"description": "Import methods available.",
                                   "type": "array", "value": []}}

    @app.get("/v2/info/stores")
    def stores() -> dict[str, Any]:
        return {"stores": [{"id": "file", "default": True,
                            "description": "Filesystem store"}]}

    app.include_router(images.router)
    return app


def listen() -> tuple[str, int]:
    return CONF.image.listen, CONF.image.port


def background() -> list[Any]:
    """The scrubber: the data of images the compute API's image proxy deleted."""
    return [service.scrub_tasks()]


PLUGIN = ServicePlugin(name="image_api", app=create_app, listen=listen,
                       background=background)


def main() -> None:
    """stratus-image: the image REST API on its own."""
    launcher.main(["image_api"])
