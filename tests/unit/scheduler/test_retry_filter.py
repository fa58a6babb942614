import pytest

from scheduler.filters.retry import RetryFilter
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("name,tried,passes", [("h1", [], True), ("h1", ["h1"], False),
                                               ("h2", ["h1"], True)])
def test_retry_filter(name: str, tried: list[str], passes: bool) -> None:
    assert RetryFilter().host_passes(host(name), spec(retry_hosts=tried)) is passes
