"""Service plugins: what a service package gives the launcher, and how the core finds it.

A service package registers one `ServicePlugin` under the `stratus.services` entry point
group in pyproject.toml, and may add admin CLI commands under `stratus.commands` (a
function that takes the typer app). The core looks both up by name and never imports a
service package (tests/test_architecture.py checks).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextlib import AbstractContextManager
from importlib import metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    from stratus.service import Background, Service

SERVICES = "stratus.services"
COMMANDS = "stratus.commands"


@dataclasses.dataclass(frozen=True)
class ServicePlugin:
    """One service: the RPC services it runs in this process and/or the REST app it serves.

    `start_order`: RPC services start in this order in one process (the conductor first:
    the others wait for it). `embedded`: a context manager around the whole process when
    it runs in stratus-all (the compute agent's private libvirtd). `background`: work a
    service without RPC servers runs beside its REST API for as long as the process
    serves it (the image service's scrubber), started after the RPC services.
    """
    name: str
    rpc_services: Callable[[], list[Service]] | None = None
    app: Callable[[], Any] | None = None
    listen: Callable[[], tuple[str, int]] | None = None
    start_order: int = 50
    embedded: Callable[[], AbstractContextManager[None]] | None = None
    background: Callable[[], list[Background]] | None = None
    # A unix socket the REST app is also served on (None: none).
    unix_socket: Callable[[], str | None] | None = None


def load(name: str) -> ServicePlugin:
    """The plugin a service package registered as `name`."""
    found = metadata.entry_points(group=SERVICES, name=name)
    if not found:
        raise LookupError(f"No service {name!r} is installed (entry point group {SERVICES}; "
                          f"reinstall the package after changing pyproject.toml)")
    plugin: ServicePlugin = next(iter(found)).load()
    return plugin


def names() -> list[str]:
    """Every installed service, in start order."""
    return [plugin.name for plugin in load_all()]


def load_all() -> list[ServicePlugin]:
    """Every installed service's plugin, in start order (then by name)."""
    plugins = [entry.load() for entry in metadata.entry_points(group=SERVICES)]
    return sorted(plugins, key=lambda p: (p.start_order, p.name))


def register_commands(app: typer.Typer) -> None:
    """Let every installed package add its admin commands to `app`."""
    for entry in sorted(metadata.entry_points(group=COMMANDS), key=lambda e: e.name):
        entry.load()(app)
