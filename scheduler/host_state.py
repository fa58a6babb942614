"""What the scheduler knows of one compute node while it places a request."""
from __future__ import annotations

import dataclasses
from typing import Any

from stratus.config import CONF


@dataclasses.dataclass
class HostState:
    host: str
    node: str
    service: dict[str, Any] | None
    vcpus: int
    memory_mb: int
    local_gb: int
    vcpus_used: int
    memory_mb_used: int
    local_gb_used: int
    num_instances: int
    cpu_allocation_ratio: float
    ram_allocation_ratio: float
    disk_allocation_ratio: float
    hypervisor_type: str = "fake"
    io_ops: int = 0
    availability_zone: str = ""
    supported_instances: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    # Read from config once per host state, not on every filter call (hot path).
    reserved_memory_mb: int = dataclasses.field(
        default_factory=lambda: CONF.compute.reserved_host_memory_mb)
    reserved_disk_gb: float = dataclasses.field(
        default_factory=lambda: CONF.compute.reserved_host_disk_mb / 1024)
    # When the compute service stops counting as up (epoch seconds), from the service
    # group driver once per host state rather than on every filter call.
    up_until: float = 0.0

    def __post_init__(self) -> None:
        if self.service is not None and not self.up_until:
            from stratus.servicegroup import get_driver
            self.up_until = get_driver().up_until(self.service)

    @classmethod
    def from_dict(cls, node: dict[str, Any]) -> "HostState":
        return cls(host=node["host"], node=node["hypervisor_hostname"], service=node["service"],
                   vcpus=node["vcpus"], memory_mb=node["memory_mb"], local_gb=node["local_gb"],
                   vcpus_used=node["vcpus_used"], memory_mb_used=node["memory_mb_used"],
                   local_gb_used=node["local_gb_used"], num_instances=node["running_vms"],
                   cpu_allocation_ratio=node["cpu_allocation_ratio"],
                   ram_allocation_ratio=node["ram_allocation_ratio"],
                   disk_allocation_ratio=node["disk_allocation_ratio"],
                   hypervisor_type=node.get("hypervisor_type", "fake"),
                   io_ops=node.get("io_ops", 0),
                   supported_instances=[tuple(t) for t in node.get("supported_instances")
                                        or []],
                   availability_zone=CONF.default_availability_zone)

    @property
    def free_ram_mb(self) -> float:
        return (self.memory_mb * self.ram_allocation_ratio - self.reserved_memory_mb
                - self.memory_mb_used)

    @property
    def free_vcpus(self) -> float:
        return self.vcpus * self.cpu_allocation_ratio - self.vcpus_used

    @property
    def free_disk_gb(self) -> float:
        return (self.local_gb * self.disk_allocation_ratio - self.reserved_disk_gb
                - self.local_gb_used)

    def consume(self, flavor: dict[str, Any]) -> None:
        """Account for an instance placed here by this same request."""
        self.vcpus_used += flavor["vcpus"]
        self.memory_mb_used += flavor["memory_mb"]
        self.local_gb_used += flavor["root_gb"] + flavor["ephemeral_gb"]
        self.num_instances += 1
        self.io_ops += 1
