import pytest

from scheduler.filters.aggregate_multi_tenancy_isolation import AggregateMultiTenancyIsolation
from tests.unit.scheduler.hosts import host, spec


def _in(*metadata: dict[str, str]) -> list[dict[str, object]]:
    return [{"id": i, "name": f"agg{i}", "metadata": m} for i, m in enumerate(metadata)]


@pytest.mark.parametrize("aggregates,project,passes", [
    ([], "p1", True),                                           # no isolation: everyone
    (_in({"ssd": "true"}), "p1", True),
    (_in({"filter_tenant_id": "p1"}), "p1", True),
    (_in({"filter_tenant_id": "p1"}), "p2", False),
    (_in({"filter_tenant_id": "p1, p2"}), "p2", True),         # comma-separated list
    (_in({"filter_tenant_id": "p1", "filter_tenant_id2": "p3"}), "p3", True),  # suffixed key
    (_in({"filter_tenant_id": "p1"}, {"filter_tenant_id": "p2"}), "p2", True),  # union
])
def test_multi_tenancy_isolation(aggregates: list, project: str, passes: bool) -> None:
    f = AggregateMultiTenancyIsolation()
    assert f.host_passes(host(aggregates=aggregates), spec(project_id=project)) is passes
    assert f.reason(spec(project_id=project)) == f"reserved for other projects than {project}"
