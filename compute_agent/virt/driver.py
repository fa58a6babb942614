"""The narrow interface between the compute agent and a hypervisor.

Drivers register under the `stratus.virt_drivers` entry point group (pyproject.toml) and
are loaded by their `[compute] virt_driver` name: this module imports none of them.
"""
from __future__ import annotations

import abc
import pathlib
from collections.abc import Callable
from importlib import metadata
from typing import Any

from stratus.context import RequestContext

DRIVERS = "stratus.virt_drivers"


class ComputeDriver(abc.ABC):
    # Called as listener(instance uuid, power state) when a guest's power state changes
    # by itself (the compute manager sets it; drivers that notice such changes call it).
    lifecycle_listener: Callable[[str, int], None] | None = None

    def __init__(self, host: str) -> None:
        self.host = host

    @property
    def nodename(self) -> str:
        return self.host

    @abc.abstractmethod
    def get_available_resource(self) -> dict[str, Any]:
        """Capacity of this node: vcpus, memory_mb, local_gb, hypervisor_type, ..."""

    @abc.abstractmethod
    def spawn(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        """Create and start the guest; raise on failure, leaving nothing behind."""

    @abc.abstractmethod
    def destroy(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        """Stop and remove the guest and its files; a missing guest is fine."""

    @abc.abstractmethod
    def list_instances(self) -> list[str]:
        """UUIDs of the guests this node runs."""

    @abc.abstractmethod
    def get_console_output(self, instance: dict[str, Any]) -> str:
        """What the guest wrote on its serial console (the end of it when long)."""

    @abc.abstractmethod
    def power_state(self, instance: dict[str, Any]) -> int:
        """The guest's power state (stratus.objects.states: RUNNING, SHUTDOWN, ...)."""

    @abc.abstractmethod
    def power_off(self, instance: dict[str, Any], timeout: float) -> None:
        """Ask the guest to shut down (ACPI); force it off after `timeout` seconds."""

    @abc.abstractmethod
    def power_on(self, instance: dict[str, Any]) -> None:
        """Start a stopped guest."""

    @abc.abstractmethod
    def reboot(self, instance: dict[str, Any], hard: bool, timeout: float) -> None:
        """SOFT: clean shutdown then start (HARD when it does not stop); HARD: reset."""

    @abc.abstractmethod
    def pause(self, instance: dict[str, Any]) -> None:
        """Freeze the guest's vCPUs in memory."""

    @abc.abstractmethod
    def unpause(self, instance: dict[str, Any]) -> None:
        """Let a paused guest run again."""

    @abc.abstractmethod
    def suspend(self, instance: dict[str, Any]) -> None:
        """Save the guest's memory to disk and stop it."""

    @abc.abstractmethod
    def resume(self, instance: dict[str, Any]) -> None:
        """Restore a suspended guest from its saved memory."""

    @abc.abstractmethod
    def get_diagnostics(self, instance: dict[str, Any]) -> dict[str, Any]:
        """Counters of the guest (CPU time, memory, disk I/O), keyed as Nova's libvirt
        driver does before microversion 2.48."""

    def age_image_cache(self, in_use: set[str], max_age: float) -> list[str]:
        """Remove cached images not in `in_use` and unused for `max_age` seconds;
        their IDs. Drivers without an image cache have nothing to remove."""
        return []

    @abc.abstractmethod
    def snapshot(self, instance: dict[str, Any], target: pathlib.Path) -> str:
        """Write a standalone image of the root disk to `target`; its disk format."""


def load(name: str, host: str) -> ComputeDriver:
    """The driver registered as `name`, for `host`."""
    found = metadata.entry_points(group=DRIVERS, name=name)
    if not found:
        raise ValueError(f"Unknown virt driver {name}")
    driver_class: type[ComputeDriver] = next(iter(found)).load()
    return driver_class(host)
