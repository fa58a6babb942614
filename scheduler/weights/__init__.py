"""Host weighers: one small class per module, registered by class name.

Each returns a raw weight per host; weights are normalized to [0, 1] across
the hosts being ranked and multiplied by the weigher's multiplier option.
"""
from __future__ import annotations

from typing import Any, ClassVar

from scheduler import plugins
from scheduler.host_state import HostState

REGISTRY: dict[str, type["BaseWeigher"]] = {}


class BaseWeigher:
    multiplier_option: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        REGISTRY[cls.__name__] = cls

    def multiplier(self) -> float:
        from stratus.config import CONF
        return float(getattr(CONF.scheduler, self.multiplier_option))

    def weigh(self, host: HostState, spec: dict[str, Any]) -> float:
        raise NotImplementedError


def load(names: list[str]) -> list[BaseWeigher]:
    return plugins.load(__name__, REGISTRY, names, "weighers")


def _normalize(values: list[float]) -> list[float]:
    low, high = min(values), max(values)
    if high == low:
        return [0.0 for _ in values]
    return [(v - low) / (high - low) for v in values]


def rank(hosts: list[HostState], weighers: list[BaseWeigher],
         spec: dict[str, Any]) -> list[HostState]:
    """Hosts sorted best first by the sum of normalized, multiplied weights."""
    totals = [0.0] * len(hosts)
    for weigher in weighers:
        raw = _normalize([weigher.weigh(h, spec) for h in hosts])
        factor = weigher.multiplier()
        totals = [t + factor * w for t, w in zip(totals, raw)]
    order = sorted(range(len(hosts)), key=lambda i: totals[i], reverse=True)
    return [hosts[i] for i in order]
