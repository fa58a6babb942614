"""A dry run of the filters and weighers: which filter removed which hosts, and why.

`stratus scheduler explain` prints it; NoValidHost faults carry the same counts without
host names.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from scheduler import filters, weights
from scheduler.host_state import host_states
from scheduler.request import SchedulingRequest
from stratus.config import CONF


@dataclasses.dataclass
class FilterStep:
    name: str
    hosts_in: int
    removed: list[str]
    reason: str


@dataclasses.dataclass
class Explanation:
    steps: list[FilterStep]
    ranked: list[str]  # hosts that passed, best first


def explain(nodes: list[dict[str, Any]], aggregates: list[dict[str, Any]],
            spec: SchedulingRequest) -> Explanation:
    hosts, removed = filters.run(filters.load(CONF.scheduler.enabled_filters),
                                 host_states(nodes, aggregates), spec)
    steps, remaining = [], len(nodes)
    for f, names in removed:
        steps.append(FilterStep(type(f).__name__, remaining, names, f.reason(spec)))
        remaining -= len(names)
    ranked = weights.rank(hosts, weights.load(CONF.scheduler.weight_classes), spec)
    return Explanation(steps, [h.host for h in ranked])


def render(explanation: Explanation) -> str:
    lines = [f"{'FILTER':<28} {'IN':>5} {'REMOVED':>8}  WHY / WHICH"]
    for step in explanation.steps:
        which = f"{step.reason}: {', '.join(step.removed)}" if step.removed else "-"
        lines.append(f"{step.name:<28} {step.hosts_in:>5} {len(step.removed):>8}  {which}")
    if explanation.ranked:
        lines.append("Hosts that fit, best first: " + ", ".join(explanation.ranked))
    else:
        lines.append("No valid host: nothing passed every filter.")
    return "\n".join(lines)
