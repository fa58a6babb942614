import pytest

from scheduler.filters.core import CoreFilter
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("vcpus,used,ratio,wanted,passes", [
    (8, 0, 1.0, 8, True), (8, 1, 1.0, 8, False), (8, 30, 4.0, 2, True),
    (8, 31, 4.0, 2, False), (2, 0, 16.0, 32, True),
])
def test_core_filter(vcpus: int, used: int, ratio: float, wanted: int, passes: bool) -> None:
    h = host(vcpus=vcpus, vcpus_used=used, cpu_allocation_ratio=ratio)
    assert CoreFilter().host_passes(h, spec(vcpus=wanted)) is passes
