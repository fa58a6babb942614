"""The filter-and-weigher scheduler: picks a host (and alternates) per instance."""
from __future__ import annotations

import random

from conductor.rpcapi.scheduling import SchedulingAPI
from scheduler import filters, weights
from scheduler.host_state import HostState
from scheduler.host_state_cache import HostStateCache
from scheduler.request import SchedulingRequest
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.objects.request_spec import Destination, RequestSpec
from stratus.rpc import endpoint_target


def explain(removed: list[tuple[filters.BaseHostFilter, list[str]]], total: int,
            spec: SchedulingRequest, with_hosts: bool = False) -> str:
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

    def select_destinations(self, ctx: RequestContext, request_spec: RequestSpec,
                            instance_uuids: list[str]) -> list[list[Destination]]:
        hosts, fresh = self.host_states.get(ctx)
        spec = SchedulingRequest.of(request_spec, hint_hosts=self._hint_hosts(ctx, request_spec),
                                    group_hosts=self._group_hosts(ctx, request_spec))
        if spec.force_host or spec.force_node:
            return self._forced(hosts, spec, len(instance_uuids))
        hosts = self._requested(hosts, spec)
        results = []
        for _instance in instance_uuids:
            passed, removed = self._filter(hosts, spec)
            if not passed and not fresh:  # never fail on what may be an old picture
                hosts, fresh = self.host_states.get(ctx, fresh=True)
                hosts = self._requested(hosts, spec)
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
            best.consume(spec.flavor)
            spec.group_hosts.append(best.host)
            results.append([Destination(host=h.host, node=h.node) for h in chosen])
        return results

    @staticmethod
    def _forced(hosts: list[HostState], spec: SchedulingRequest,
                count: int) -> list[list[Destination]]:
        """An admin named the host (AZ:HOST) or node (AZ::NODE): no filters run; the
        conductor's claim still checks that the instance fits."""
        host, node = spec.force_host, spec.force_node
        found = [h for h in hosts if (not host or h.host == host)
                 and (not node or h.node == node)]
        if not found:
            raise exception.NoValidHost(
                reason=f"The requested host {host or node} is not a compute host.")
        return [[Destination(host=found[0].host, node=found[0].node)] for _ in range(count)]

    @staticmethod
    def _requested(hosts: list[HostState], spec: SchedulingRequest) -> list[HostState]:
        """The candidates a 2.74 host or hypervisor_hostname leaves (all without one)."""
        host, node = spec.requested_host, spec.requested_node
        if not host and not node:
            return hosts
        found = [h for h in hosts if (not host or h.host == host)
                 and (not node or h.node == node)]
        if not found:
            raise exception.NoValidHost(
                reason=f"The requested destination {host or ''}{':' if host and node else ''}"
                       f"{node or ''} is not a compute host.")
        return found

    @staticmethod
    def _hint_hosts(ctx: RequestContext, spec: RequestSpec) -> dict[str, list[str]]:
        """Hosts of the instances that same_host/different_host hints name (one query)."""
        wanted = {}
        for key in ("same_host", "different_host"):
            value = spec.scheduler_hints.get(key)
            if value:
                wanted[key] = [value] if isinstance(value, str) else list(value)
        if not wanted:
            return {}
        uuids = sorted({u for values in wanted.values() for u in values})
        host_of = SchedulingAPI.get().instance_hosts(ctx.elevated(), instance_uuids=uuids)
        return {key: [host_of[u] for u in values if u in host_of]
                for key, values in wanted.items()}

    @staticmethod
    def _group_hosts(ctx: RequestContext, spec: RequestSpec) -> list[str]:
        """Hosts of the placed members of the request's server group."""
        if spec.group is None:
            return []
        hosts: list[str] = SchedulingAPI.get().group_hosts(ctx.elevated(),
                                                           group_uuid=spec.group.uuid)
        return hosts

    def _filter(self, hosts: list[HostState],
                spec: SchedulingRequest) -> tuple[list[HostState], filters.Removed]:
        return filters.run(self.filters, hosts, spec)
