import pytest

from scheduler.filters.io_ops import IoOpsFilter
from stratus.config import CONF
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("io_ops,limit,passes", [(0, 8, True), (7, 8, True), (8, 8, False),
                                                 (3, 2, False)])
def test_io_ops_filter(io_ops: int, limit: int, passes: bool) -> None:
    CONF.set_override("max_io_ops_per_host", limit, group="scheduler")
    try:
        assert IoOpsFilter().host_passes(host(io_ops=io_ops), spec()) is passes
    finally:
        CONF.clear_override("max_io_ops_per_host", group="scheduler")
