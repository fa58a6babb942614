"""Quota resources and the arithmetic of limits against usage (no database here: the
limits and the usage come from conductor/compute/queries/quotas.py)."""
from __future__ import annotations

from collections.abc import Callable

from stratus import exception

RESOURCES = ("instances", "cores", "ram", "key_pairs", "metadata_items", "server_groups",
             "server_group_members", "injected_files", "injected_file_content_bytes",
             "injected_file_path_bytes", "floating_ips", "fixed_ips", "networks",
             "security_groups", "security_group_rules")
DEFAULT_CLASS = "default"
# Called with a project's limits and usage inside the transaction that writes what they
# limit; raises QuotaExceeded to refuse.
QuotaCheck = Callable[[dict[str, int], dict[str, int]], None]


def check(limits: dict[str, int], usage: dict[str, int], deltas: dict[str, int]) -> None:
    """Raise QuotaExceeded naming the first resource `deltas` would exceed."""
    for resource, requested in deltas.items():
        limit = limits[resource]
        if limit >= 0 and usage[resource] + requested > limit:
            raise exception.QuotaExceeded(resource=resource, requested=requested,
                                          used=usage[resource], quota=limit)


def admissible_count(limits: dict[str, int], usage: dict[str, int],
                     per_instance: dict[str, int], min_count: int, max_count: int) -> int:
    """The largest count in [min, max] that fits; QuotaExceeded if min does not. Constant
    time whatever the counts: the room left of each resource, divided."""
    count = max_count
    for resource, each in per_instance.items():
        limit = limits[resource]
        if limit >= 0 and each > 0:
            count = min(count, max(0, limit - usage[resource]) // each)
    if count < min_count:
        check(limits, usage, {r: v * min_count for r, v in per_instance.items()})
    return count
