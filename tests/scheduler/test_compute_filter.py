import datetime

import pytest

from scheduler.filters.compute import ComputeFilter
from tests.scheduler.hosts import host, spec

NOW = datetime.datetime.utcnow().isoformat()
LONG_AGO = (datetime.datetime.utcnow() - datetime.timedelta(hours=1)).isoformat()


@pytest.mark.parametrize("service,passes", [
    ({"disabled": False, "forced_down": False, "last_seen_up": NOW}, True),
    ({"disabled": True, "forced_down": False, "last_seen_up": NOW}, False),
    ({"disabled": False, "forced_down": True, "last_seen_up": NOW}, False),
    ({"disabled": False, "forced_down": False, "last_seen_up": LONG_AGO}, False),
    ({"disabled": False, "forced_down": False, "last_seen_up": None}, False),
    (None, False),
])
def test_compute_filter(service: dict[str, object] | None, passes: bool) -> None:
    assert ComputeFilter().host_passes(host(service=service), spec()) is passes
