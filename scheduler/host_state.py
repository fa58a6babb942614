"""What the scheduler knows of one compute node while it places a request."""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from stratus.allocation_ratios import effective_ratios
from stratus.availability_zones import host_zones
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
    # The aggregates the host is in ({"id", "name", "metadata", ...}).
    aggregates: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    # Read from config once per host state, not on every filter call (hot path).
    reserved_memory_mb: int = dataclasses.field(
        default_factory=lambda: CONF.compute.reserved_host_memory_mb)
    reserved_disk_gb: float = dataclasses.field(
        default_factory=lambda: CONF.compute.reserved_host_disk_mb / 1024)
    # When the compute service stops counting as up (epoch seconds), from the service
    # group driver once per host state rather than on every filter call.
    up_until: float | None = None

    # Derived in __post_init__ and kept current by consume().
    enabled: bool = dataclasses.field(init=False, default=False)
    free_ram_mb: float = dataclasses.field(init=False, default=0.0)
    free_vcpus: float = dataclasses.field(init=False, default=0.0)
    free_disk_gb: float = dataclasses.field(init=False, default=0.0)

    @classmethod
    def from_dict(cls, node: dict[str, Any], aggregates: list[dict[str, Any]] | None = None,
                  up_until: float | None = None) -> "HostState":
        """A host state from the conductor's host_states entry and the host's
        aggregates, which may override its allocation ratios and give its zone."""
        aggregates = aggregates or []
        ratios = effective_ratios(aggregates, {
            k: node[k] for k in ("cpu_allocation_ratio", "ram_allocation_ratio",
                                 "disk_allocation_ratio")})
        return cls(host=node["host"], node=node["hypervisor_hostname"], service=node["service"],
                   vcpus=node["vcpus"], memory_mb=node["memory_mb"], local_gb=node["local_gb"],
                   vcpus_used=node["vcpus_used"], memory_mb_used=node["memory_mb_used"],
                   local_gb_used=node["local_gb_used"], num_instances=node["running_vms"],
                   **ratios,
                   hypervisor_type=node.get("hypervisor_type", "fake"),
                   io_ops=node.get("io_ops", 0),
                   supported_instances=[tuple(t) for t in node.get("supported_instances")
                                        or []],
                   aggregates=aggregates, up_until=up_until,
                   availability_zone=host_zones(aggregates).get(
                       node["host"], CONF.default_availability_zone))

    def aggregate_values(self, key: str) -> set[str]:
        """The values the host's aggregates give `key`."""
        return {a["metadata"][key] for a in self.aggregates if key in a["metadata"]}

    def __post_init__(self) -> None:
        if self.up_until is None:
            from stratus.servicegroup import get_driver
            self.up_until = 0.0 if self.service is None else \
                get_driver().up_until(self.service)
        self.enabled = self.service is not None and not self.service["disabled"]
        self._update_free()

    def _update_free(self) -> None:
        # Plain attributes, not properties: filters and weighers read them for every
        # host of every request.
        self.free_ram_mb = (self.memory_mb * self.ram_allocation_ratio
                            - self.reserved_memory_mb - self.memory_mb_used)
        self.free_vcpus = self.vcpus * self.cpu_allocation_ratio - self.vcpus_used
        self.free_disk_gb = (self.local_gb * self.disk_allocation_ratio
                             - self.reserved_disk_gb - self.local_gb_used)

    def consume(self, flavor: dict[str, Any]) -> None:
        """Account for an instance placed here by this same request."""
        self.vcpus_used += flavor["vcpus"]
        self.memory_mb_used += flavor["memory_mb"]
        self.local_gb_used += flavor["root_gb"] + flavor["ephemeral_gb"]
        self.num_instances += 1
        self.io_ops += 1
        self._update_free()


def host_states(nodes: list[dict[str, Any]],
                aggregates: list[dict[str, Any]]) -> list[HostState]:
    """Host states of the conductor's nodes, each with the aggregates its host is in."""
    from stratus.servicegroup import get_driver
    by_host: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for aggregate in aggregates:
        for host in aggregate["hosts"]:
            by_host[host].append(aggregate)
    with_service = [n for n in nodes if n["service"] is not None]
    until = dict(zip((id(n) for n in with_service),
                     get_driver().up_until_many([n["service"] for n in with_service])))
    return [HostState.from_dict(n, by_host.get(n["host"]), until.get(id(n)))
            for n in nodes]
