import pytest

from scheduler.filters.availability_zone import AvailabilityZoneFilter
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("host_zone,wanted,passes", [
    ("nova", None, True), ("nova", "nova", True), ("nova", "az2", False), ("az2", "az2", True),
])
def test_availability_zone_filter(host_zone: str, wanted: str | None, passes: bool) -> None:
    request = spec(availability_zone=wanted)
    assert AvailabilityZoneFilter().host_passes(host(availability_zone=host_zone),
                                                request) is passes
    assert AvailabilityZoneFilter().reason(spec(availability_zone="az2")) == "not in zone az2"
