"""The metadata API application (seed 5.3.4): what each guest reads about itself at
169.254.169.254, reached through the network agents' DNAT to metadata_host:metadata_port
or through a metadata proxy."""
from __future__ import annotations

from fastapi import FastAPI

from metadata_api import handler
from metadata_api.manager import MetadataManager
from metadata_api.rpcapi import BINARY, MetadataAPI
from stratus import launcher
from stratus.api.app import make_app
from stratus.config import CONF
from stratus.plugins import ServicePlugin
from stratus.service import Service


def create_app() -> FastAPI:
    app = make_app("stratus-metadata", "nova")
    app.include_router(handler.router)
    return app


def listen() -> tuple[str, int]:
    return CONF.metadata_listen, CONF.metadata_listen_port


def services() -> list[Service]:
    """The RPC server through which the conductor invalidates the cache (no state
    reports: an API, like the others, is not in os-services)."""
    return [Service(BINARY, MetadataAPI.TOPIC, CONF.host, [MetadataManager()], report=False)]


def unix_socket() -> str | None:
    return CONF.metadata_proxy_socket or None


PLUGIN = ServicePlugin(name="metadata_api", app=create_app, listen=listen,
                       rpc_services=services, start_order=60, unix_socket=unix_socket)


def main() -> None:
    """stratus-metadata: the metadata API on its own."""
    launcher.main(["metadata_api"])
