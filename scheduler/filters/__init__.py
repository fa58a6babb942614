"""Host filters: one small class per module, registered by class name.

A filter answers `host_passes(host, spec)`; when a host fails, `reason`
says why in words a user can read (the NoValidHost explanation uses it).
"""
from __future__ import annotations

from typing import Any, ClassVar

from scheduler import plugins
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest

REGISTRY: dict[str, type["BaseHostFilter"]] = {}


class BaseHostFilter:
    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        REGISTRY[cls.__name__] = cls

    def applies(self, spec: SchedulingRequest) -> bool:
        """False when the request asks nothing of this filter (it is then skipped)."""
        return True

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        raise NotImplementedError

    def filter_all(self, hosts: list[HostState], spec: SchedulingRequest) -> list[HostState]:
        """The hosts that pass. Filters on the hot path override this with one
        comprehension over plain attributes (a call per host costs more than the test)."""
        return [h for h in hosts if self.host_passes(h, spec)]

    def reason(self, spec: SchedulingRequest) -> str:
        """Why a host fails, in a form that holds for every host it removed."""
        raise NotImplementedError


def load(names: list[str]) -> list[BaseHostFilter]:
    return plugins.load(__name__, REGISTRY, names, "filters")


Removed = list[tuple[BaseHostFilter, list[str]]]


def run(filters: list[BaseHostFilter], hosts: list[HostState],
        spec: SchedulingRequest) -> tuple[list[HostState], Removed]:
    """The hosts that pass every filter the request concerns, and per such filter the
    names of the hosts it removed (none, often)."""
    removed = []
    for f in filters:
        if not f.applies(spec):
            continue
        kept = f.filter_all(hosts, spec)
        names: list[str] = []
        if len(kept) != len(hosts):
            passed = {id(h) for h in kept}
            names = [h.host for h in hosts if id(h) not in passed]
        removed.append((f, names))
        hosts = kept
    return hosts, removed
