import pytest

from scheduler.filters.num_instances import NumInstancesFilter
from stratus.config import CONF
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("instances,limit,passes", [(0, 1, True), (1, 1, False),
                                                    (49, 50, True), (50, 50, False)])
def test_num_instances_filter(instances: int, limit: int, passes: bool) -> None:
    CONF.set_override("max_instances_per_host", limit, group="scheduler")
    try:
        assert NumInstancesFilter().host_passes(host(num_instances=instances), spec()) is passes
    finally:
        CONF.clear_override("max_instances_per_host", group="scheduler")
