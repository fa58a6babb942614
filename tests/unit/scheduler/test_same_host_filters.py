import pytest

from scheduler.filters.same_host import DifferentHostFilter, SameHostFilter
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("name,hint,hosts,same,different", [
    ("h1", None, [], True, True),                 # no hint: both pass
    ("h1", ["i-1"], ["h1"], True, False),
    ("h2", ["i-1"], ["h1"], False, True),
    ("h1", ["gone"], [], False, True),            # hinted instance without a host
])
def test_same_and_different_host(name: str, hint: list[str] | None, hosts: list[str],
                                 same: bool, different: bool) -> None:
    hints = {"same_host": hint, "different_host": hint} if hint else {}
    request = spec(scheduler_hints=hints,
                   hint_hosts={"same_host": hosts, "different_host": hosts})
    assert SameHostFilter().host_passes(host(name), request) is same
    assert DifferentHostFilter().host_passes(host(name), request) is different
