"""SameHostFilter and DifferentHostFilter: scheduler hints naming other instances.

The scheduler resolves the hinted instances to their hosts once per request and puts
them in spec["hint_hosts"] = {"same_host": [...], "different_host": [...]}.
"""
from __future__ import annotations

from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState


def _hinted(spec: dict[str, Any], key: str) -> tuple[bool, set[str]]:
    hints = spec.get("scheduler_hints") or {}
    return bool(hints.get(key)), set((spec.get("hint_hosts") or {}).get(key, []))


class SameHostFilter(BaseHostFilter):
    def applies(self, spec: dict[str, Any]) -> bool:
        return _hinted(spec, "same_host")[0]

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        asked, hosts = _hinted(spec, "same_host")
        return not asked or host.host in hosts

    def reason(self, spec: dict[str, Any]) -> str:
        return "not the host of the instances in the same_host hint"


class DifferentHostFilter(BaseHostFilter):
    def applies(self, spec: dict[str, Any]) -> bool:
        return _hinted(spec, "different_host")[0]

    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        asked, hosts = _hinted(spec, "different_host")
        return not asked or host.host not in hosts

    def reason(self, spec: dict[str, Any]) -> str:
        return "runs an instance named in the different_host hint"
