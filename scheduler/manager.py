"""The filter-and-weigher scheduler: picks a host (and alternates) per instance."""
from __future__ import annotations

import random
from typing import Any

from conductor.rpcapi import ConductorSchedulingAPI
from scheduler import filters, weights
from scheduler.host_state import HostState
from scheduler.host_state_cache import HostStateCache
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


def explain(removed: list[tuple[filters.BaseHostFilter, list[str]]], total: int,
            spec: dict[str, Any], with_hosts: bool = False) -> str:
    """Why no host fits, per filter; host names only `with_hosts` (for admins)."""
    if total == 0:
        return "There are no compute hosts."
    parts = []
    remaining = total
    for f, hosts in removed:
        if hosts:
            names = f" ({', '.join(hosts)})" if with_hosts else ""
            parts.append(f"{type(f).__name__} removed {len(hosts)} of {remaining} hosts"
                         f"{names}: {f.reason(spec)}")
            remaining -= len(hosts)
    return "; ".join(parts) + "."


class SchedulerManager:
    target = endpoint_target(SchedulerAPI)

    def __init__(self) -> None:
        self.filters = filters.load(CONF.scheduler.enabled_filters)
        self.weighers = weights.load(CONF.scheduler.weight_classes)
        self.host_states = HostStateCache()

    def host_states_changed(self, ctx: RequestContext) -> None:
        self.host_states.invalidate()

    def select_destinations(self, ctx: RequestContext, request_spec: dict[str, Any],
                            instance_uuids: list[str],
                            excluded_hosts: list[str]) -> list[list[dict[str, str]]]:
        conductor = ConductorSchedulingAPI()
        hosts, fresh = self.host_states.get(ctx)
        spec = {**request_spec, "retry_hosts": list(excluded_hosts),
                "hint_hosts": self._hint_hosts(ctx, conductor, request_spec),
                "group_hosts": self._group_hosts(ctx, conductor, request_spec)}
        if spec.get("force_host") or spec.get("force_node"):
            return self._forced(hosts, spec, len(instance_uuids))
        results = []
        for _instance in instance_uuids:
            passed, removed = self._filter(hosts, spec)
            if not passed and not fresh:  # never fail on what may be an old picture
                hosts, fresh = self.host_states.get(ctx, fresh=True)
                passed, removed = self._filter(hosts, spec)
            if not passed:
                raise exception.NoValidHost(
                    reason=explain(removed, len(hosts), spec),
                    details=explain(removed, len(hosts), spec, with_hosts=True))
            ranked = weights.rank(passed, self.weighers, spec, best=max(
                CONF.scheduler.host_subset_size, CONF.scheduler.max_attempts))
            best = random.choice(ranked[:CONF.scheduler.host_subset_size])
            others = [h for h in ranked if h is not best]
            chosen = [best, *others][:CONF.scheduler.max_attempts]
            best.consume(request_spec["flavor"])
            spec["group_hosts"].append(best.host)
            results.append([{"host": h.host, "node": h.node} for h in chosen])
        return results

    @staticmethod
    def _forced(hosts: list[HostState], spec: dict[str, Any],
                count: int) -> list[list[dict[str, str]]]:
        """An admin named the host (AZ:HOST) or node (AZ::NODE): no filters run; the
        conductor's claim still checks that the instance fits."""
        host, node = spec.get("force_host"), spec.get("force_node")
        found = [h for h in hosts if (not host or h.host == host)
                 and (not node or h.node == node)]
        if not found:
            raise exception.NoValidHost(
                reason=f"The requested host {host or node} is not a compute host.")
        return [[{"host": found[0].host, "node": found[0].node}] for _ in range(count)]

    @staticmethod
    def _hint_hosts(ctx: RequestContext, conductor: ConductorSchedulingAPI,
                    spec: dict[str, Any]) -> dict[str, list[str]]:
        """Hosts of the instances that same_host/different_host hints name (one query)."""
        hints = spec.get("scheduler_hints") or {}
        wanted = {}
        for key in ("same_host", "different_host"):
            value = hints.get(key)
            if value:
                wanted[key] = [value] if isinstance(value, str) else list(value)
        if not wanted:
            return {}
        uuids = sorted({u for values in wanted.values() for u in values})
        found = conductor.instance_list(ctx.elevated(), filters={"uuids": uuids})
        host_of = {i["uuid"]: i["host"] for i in found if i["host"]}
        return {key: [host_of[u] for u in values if u in host_of]
                for key, values in wanted.items()}

    @staticmethod
    def _group_hosts(ctx: RequestContext, conductor: ConductorSchedulingAPI,
                     spec: dict[str, Any]) -> list[str]:
        """Hosts of the placed members of the request's server group."""
        group = spec.get("group")
        if not group:
            return []
        try:
            return conductor.server_group_get(ctx.elevated(), group_uuid=group["uuid"],
                                              with_hosts=True)["hosts"]
        except exception.InstanceGroupNotFound:
            return []

    def _filter(self, hosts: list[HostState],
                spec: dict[str, Any]) -> tuple[list[HostState], filters.Removed]:
        return filters.run(self.filters, hosts, spec)
