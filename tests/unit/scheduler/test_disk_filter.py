import pytest

from scheduler.filters.disk import DiskFilter
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("local_gb,used,root,ephemeral,passes", [
    (100, 0, 100, 0, True), (100, 0, 90, 20, False), (100, 80, 10, 10, True),
    (100, 81, 10, 10, False), (10, 0, 0, 0, True),
])
def test_disk_filter(local_gb: int, used: int, root: int, ephemeral: int, passes: bool) -> None:
    h = host(local_gb=local_gb, local_gb_used=used)
    assert DiskFilter().host_passes(h, spec(root_gb=root, ephemeral_gb=ephemeral)) is passes
