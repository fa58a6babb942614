import datetime

import pytest

from scheduler.filters.compute import ComputeFilter
from tests.unit.scheduler.hosts import host, spec

NOW, LONG_AGO = "now", "an hour ago"  # turned into times when the test runs


def _time(value: object) -> object:
    now = datetime.datetime.utcnow()
    return {NOW: now.isoformat(),
            LONG_AGO: (now - datetime.timedelta(hours=1)).isoformat()}.get(value, value)


@pytest.mark.parametrize("service,passes", [
    ({"disabled": False, "forced_down": False, "last_seen_up": NOW}, True),
    ({"disabled": True, "forced_down": False, "last_seen_up": NOW}, False),
    ({"disabled": False, "forced_down": True, "last_seen_up": NOW}, False),
    ({"disabled": False, "forced_down": False, "last_seen_up": LONG_AGO}, False),
    ({"disabled": False, "forced_down": False, "last_seen_up": None}, False),
    (None, False),
])
def test_compute_filter(service: dict[str, object] | None, passes: bool) -> None:
    if service is not None:
        service = {**service, "last_seen_up": _time(service["last_seen_up"])}
    assert ComputeFilter().host_passes(host(service=service), spec()) is passes
