"""Host weighers: one small class per module, registered by class name.

Each returns a raw weight per host; weights are normalized to [0, 1] across
the hosts being ranked and multiplied by the weigher's multiplier option.
"""
from __future__ import annotations

import heapq
from typing import Any, ClassVar

from scheduler import plugins
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest

REGISTRY: dict[str, type["BaseWeigher"]] = {}


class BaseWeigher:
    multiplier_option: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        REGISTRY[cls.__name__] = cls

    def multiplier(self) -> float:
        from stratus.config import CONF
        return float(getattr(CONF.scheduler, self.multiplier_option))

    def weigh(self, host: HostState, spec: SchedulingRequest) -> float:
        raise NotImplementedError

    def weigh_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[float] | None:
        """Raw weights of `hosts`; None when the request gives this weigher nothing to
        rank by. Weighers on the hot path override it with one comprehension."""
        return [self.weigh(h, spec) for h in hosts]


def load(names: list[str]) -> list[BaseWeigher]:
    return plugins.load(__name__, REGISTRY, names, "weighers")


def totals(hosts: list[HostState], weighers: list[BaseWeigher],
           spec: SchedulingRequest) -> list[float]:
    """Per host, the sum over weighers of multiplier * weight normalized to [0, 1]."""
    out = [0.0] * len(hosts)
    for weigher in weighers:
        factor = weigher.multiplier()
        if not factor:
            continue
        raw = weigher.weigh_all(hosts, spec)
        if raw is None:
            continue
        low, high = min(raw), max(raw)
        if high == low:
            continue
        scale = factor / (high - low)
        out = [t + (v - low) * scale for t, v in zip(out, raw)]
    return out


def rank(hosts: list[HostState], weighers: list[BaseWeigher], spec: SchedulingRequest,
         best: int | None = None) -> list[HostState]:
    """Hosts best first by their weight totals; only the `best` first if given (a
    partial selection, cheaper than sorting thousands of hosts)."""
    if not hosts:
        return []
    weight = totals(hosts, weighers, spec)
    if best is not None and best < len(hosts):
        order = heapq.nlargest(best, range(len(hosts)), key=weight.__getitem__)
    else:
        order = sorted(range(len(hosts)), key=weight.__getitem__, reverse=True)
    return [hosts[i] for i in order]
