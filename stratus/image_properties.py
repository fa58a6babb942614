"""The attributes Glance keeps for itself: no image property may carry one of these
names (it would shadow the real value in the flat image body others read)."""
from __future__ import annotations

from collections.abc import Iterable

CORE_ATTRIBUTES = frozenset({
    "id", "name", "status", "visibility", "protected", "os_hidden", "owner", "tags",
    "disk_format", "container_format", "min_disk", "min_ram", "size", "virtual_size",
    "checksum", "os_hash_algo", "os_hash_value", "created_at", "updated_at", "deleted",
    "deleted_at", "self", "file", "schema", "direct_url", "location", "locations"})


def reserved(keys: Iterable[str]) -> list[str]:
    """The keys among `keys` that name a core attribute, sorted."""
    return sorted(k for k in keys if k in CORE_ATTRIBUTES)
