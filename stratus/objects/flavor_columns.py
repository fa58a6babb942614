"""The instance columns that follow its flavor: a boot writes them, a move swaps them."""
from __future__ import annotations

from typing import Any


def flavor_columns(flavor: dict[str, Any]) -> dict[str, Any]:
    """An instance's flavor copy and the sizes kept beside it for queries."""
    return {"flavor": flavor, "flavorid": flavor["flavorid"], "vcpus": flavor["vcpus"],
            "memory_mb": flavor["memory_mb"], "root_gb": flavor["root_gb"],
            "ephemeral_gb": flavor["ephemeral_gb"]}
