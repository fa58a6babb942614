"""AggregateMultiTenancyIsolation: hosts of an aggregate with `filter_tenant_id` metadata
(a comma-separated list; keys may carry a suffix, filter_tenant_id2, to hold more) take
only those projects' instances. Hosts in no such aggregate take everyone's."""
from __future__ import annotations

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest

KEY = "filter_tenant_id"


def allowed_projects(host: HostState) -> set[str]:
    projects: set[str] = set()
    for aggregate in host.aggregates:
        for key, value in aggregate["metadata"].items():
            if key.startswith(KEY):
                projects.update(p.strip() for p in str(value).split(",") if p.strip())
    return projects


class AggregateMultiTenancyIsolation(BaseHostFilter):
    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        projects = allowed_projects(host)
        return not projects or spec.project_id in projects

    def reason(self, spec: SchedulingRequest) -> str:
        return f"reserved for other projects than {spec.project_id}"
