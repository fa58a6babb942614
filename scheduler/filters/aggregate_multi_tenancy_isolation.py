"""AggregateMultiTenancyIsolation: hosts of an aggregate with `filter_tenant_id` metadata
(a comma-separated list; keys may carry a suffix, filter_tenant_id2, to hold more) take
only those projects' instances. Hosts in no such aggregate take everyone's."""
from __future__ import annotations

from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState

KEY = "filter_tenant_id"


def allowed_projects(host: HostState) -> set[str]:
    projects: set[str] = set()
    for aggregate in host.aggregates:
        for key, value in aggregate["metadata"].items():
            if key.startswith(KEY):
                projects.update(p.strip() for p in str(value).split(",") if p.strip())
    return projects


class AggregateMultiTenancyIsolation(BaseHostFilter):
    def host_passes(self, host: HostState, spec: dict[str, Any]) -> bool:
        projects = allowed_projects(host)
        return not projects or spec.get("project_id") in projects

    def reason(self, spec: dict[str, Any]) -> str:
        return f"reserved for other projects than {spec.get('project_id')}"
