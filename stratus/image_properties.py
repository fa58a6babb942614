"""The attributes Glance keeps for itself: no image property may carry one of these
names (it would shadow the real value in the flat image body others read)."""
from __future__ import annotations

from collections.abc import Iterable

# Set by the image service alone.
READ_ONLY = frozenset({
    "status", "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value",
    "created_at", "updated_at", "self", "file", "schema", "direct_url", "location",
    "locations", "deleted", "deleted_at"})
# Set by clients, stored as columns of their own.
BASE_ATTRS = frozenset({
    "id", "name", "visibility", "disk_format", "container_format", "min_disk", "min_ram",
    "protected", "os_hidden", "tags", "owner"})
CORE_ATTRIBUTES = READ_ONLY | BASE_ATTRS


def reserved(keys: Iterable[str]) -> list[str]:
    """The keys among `keys` that name a core attribute, sorted."""
    return sorted(k for k in keys if k in CORE_ATTRIBUTES)
