"""The filter-and-weigher scheduler: picks a host (and alternates) per instance."""
from __future__ import annotations

import random
from typing import Any

from conductor.rpcapi import ConductorAPI
from scheduler import filters, weights
from scheduler.host_state import HostState
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


def explain(removed: list[tuple[filters.BaseHostFilter, int]], total: int,
            spec: dict[str, Any], excluded: int) -> str:
    """Why no host fits, per filter, without naming hosts."""
    if total == 0 and excluded == 0:
        return "There are no compute hosts."
    parts = []
    remaining = total
    for f, count in removed:
        if count:
            parts.append(f"{type(f).__name__} removed {count} of {remaining} hosts: "
                         f"{f.reason(spec)}")
            remaining -= count
    if excluded:
        parts.append(f"{excluded} host(s) skipped after failed builds")
    return "; ".join(parts) + "."


class SchedulerManager:
    target = endpoint_target(SchedulerAPI)

    def __init__(self) -> None:
        self.filters = filters.load(CONF.scheduler.enabled_filters)
        self.weighers = weights.load(CONF.scheduler.weight_classes)

    def select_destinations(self, ctx: RequestContext, request_spec: dict[str, Any],
                            instance_uuids: list[str],
                            excluded_hosts: list[str]) -> list[list[dict[str, str]]]:
        nodes = ConductorAPI().host_states(ctx)
        hosts = [HostState.from_dict(n) for n in nodes if n["host"] not in excluded_hosts]
        excluded = len(nodes) - len(hosts)
        results = []
        for _instance in instance_uuids:
            passed, removed = self._filter(hosts, request_spec)
            if not passed:
                raise exception.NoValidHost(
                    reason=explain(removed, len(hosts), request_spec, excluded))
            ranked = weights.rank(passed, self.weighers, request_spec)
            best = random.choice(ranked[:CONF.scheduler.host_subset_size])
            others = [h for h in ranked if h is not best]
            chosen = [best, *others][:CONF.scheduler.max_attempts]
            best.consume(request_spec["flavor"])
            results.append([{"host": h.host, "node": h.node} for h in chosen])
        return results

    def _filter(self, hosts: list[HostState], spec: dict[str, Any]) -> tuple[
            list[HostState], list[tuple[filters.BaseHostFilter, int]]]:
        removed = []
        for f in self.filters:
            kept = [h for h in hosts if f.host_passes(h, spec)]
            removed.append((f, len(hosts) - len(kept)))
            hosts = kept
        return hosts, removed
