"""AggregateInstanceExtraSpecsFilter: flavor extra specs scoped
"aggregate_instance_extra_specs:<key>" (or unscoped, as Nova still allows) must match the
metadata of an aggregate the host is in."""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.filters.extra_specs_ops import match
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest

SCOPE = "aggregate_instance_extra_specs"


def _requirements(spec: SchedulingRequest) -> dict[str, str]:
    out = {}
    for key, value in (spec.flavor.get("extra_specs") or {}).items():
        scope, _, name = key.rpartition(":")
        if scope in ("", SCOPE):
            out[name] = value
    return out


class AggregateInstanceExtraSpecsFilter(BaseHostFilter):
    def applies(self, spec: SchedulingRequest) -> bool:
        return bool(_requirements(spec))

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        for key, requirement in _requirements(spec).items():
            values = host.aggregate_values(key)
            if not any(match(v, requirement) for v in values):
                return False
        return True

    def reason(self, spec: SchedulingRequest) -> str:
        wanted = ", ".join(f"{k}={v}" for k, v in _requirements(spec).items())
        return f"in no aggregate with metadata {wanted}"
