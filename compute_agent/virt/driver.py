"""The narrow interface between the compute agent and a hypervisor."""
from __future__ import annotations

import abc
from typing import Any

from stratus.context import RequestContext


class ComputeDriver(abc.ABC):
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


def load(name: str, host: str) -> ComputeDriver:
    if name == "fake":
        from compute_agent.virt.fake import FakeDriver
        return FakeDriver(host)
    if name == "libvirt":
        from compute_agent.virt.libvirt.driver import LibvirtDriver
        return LibvirtDriver(host)
    raise ValueError(f"Unknown virt driver {name}")
