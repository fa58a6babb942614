"""Allocation ratios: a node reports its own; aggregates may override them through
metadata keys of the same names, and the lowest override of a node's aggregates wins
(Nova's AggregateCoreFilter/AggregateRamFilter/AggregateDiskFilter rule)."""
from __future__ import annotations

from typing import Any

RATIO_KEYS = ("cpu_allocation_ratio", "ram_allocation_ratio", "disk_allocation_ratio")


def effective_ratios(aggregates: list[dict[str, Any]],
                     node_ratios: dict[str, float]) -> dict[str, float]:
    out = dict(node_ratios)
    for key in RATIO_KEYS:
        values = []
        for aggregate in aggregates:
            try:
                values.append(float(aggregate["metadata"][key]))
            except (KeyError, ValueError):
                continue
        if values:
            out[key] = min(values)
    return out
