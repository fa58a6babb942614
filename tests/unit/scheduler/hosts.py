"""Host states and request specs for filter and weigher tests."""
from __future__ import annotations

from typing import Any

from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest


def host(name: str = "h1", **values: Any) -> HostState:
    fields: dict[str, Any] = dict(
        host=name, node=name, vcpus=8, memory_mb=8192, local_gb=100, vcpus_used=0,
        memory_mb_used=0, local_gb_used=0, num_instances=0, cpu_allocation_ratio=1.0,
        ram_allocation_ratio=1.0, disk_allocation_ratio=1.0, availability_zone="nova",
        service={"disabled": False, "forced_down": False, "last_seen_up": None})
    return HostState(**{**fields, **values})


def spec(memory_mb: int = 512, vcpus: int = 1, root_gb: int = 1, ephemeral_gb: int = 0,
         extra_specs: dict[str, str] | None = None, **values: Any) -> SchedulingRequest:
    """A request for a flavor of these sizes; other fields as RequestSpec names them (a
    `group` may be given as a dict)."""
    return SchedulingRequest.model_validate({
        "flavor": {"memory_mb": memory_mb, "vcpus": vcpus, "root_gb": root_gb,
                   "ephemeral_gb": ephemeral_gb, "extra_specs": extra_specs or {}},
        **values})
