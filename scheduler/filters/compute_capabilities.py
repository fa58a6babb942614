"""ComputeCapabilitiesFilter: flavor extra specs "capabilities:<attr>" match the host."""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.filters.extra_specs_ops import match
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest

PREFIX = "capabilities:"


def _requirements(spec: SchedulingRequest) -> dict[str, str]:
    specs = spec.flavor.get("extra_specs") or {}
    return {k[len(PREFIX):]: v for k, v in specs.items() if k.startswith(PREFIX)}


class ComputeCapabilitiesFilter(BaseHostFilter):
    def applies(self, spec: SchedulingRequest) -> bool:
        return bool(_requirements(spec))

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        for attribute, requirement in _requirements(spec).items():
            value = getattr(host, attribute, None)
            if value is None or not match(value, requirement):
                return False
        return True

    def reason(self, spec: SchedulingRequest) -> str:
        wanted = ", ".join(f"{k} {v}" for k, v in _requirements(spec).items())
        return f"does not have the capabilities {wanted}"
