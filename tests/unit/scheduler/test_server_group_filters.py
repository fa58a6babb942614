import pytest

from scheduler.filters.server_group import (ServerGroupAffinityFilter,
                                            ServerGroupAntiAffinityFilter)
from tests.unit.scheduler.hosts import host, spec


def _spec(policy: str | None, placed: list[str], max_per_host: int | None = None) -> dict:
    group = None
    if policy:
        group = {"uuid": "g1", "policy": policy,
                 "rules": {"max_server_per_host": max_per_host} if max_per_host else {}}
    return spec(group=group, group_hosts=placed)


@pytest.mark.parametrize("policy,placed,name,max_per_host,affinity,anti", [
    (None, [], "h1", None, None, None),                     # no group: no filter applies
    ("affinity", [], "h1", None, True, None),               # first member goes anywhere
    ("affinity", ["h1"], "h1", None, True, None),
    ("affinity", ["h1"], "h2", None, False, None),
    ("anti-affinity", [], "h1", None, None, True),
    ("anti-affinity", ["h1"], "h1", None, None, False),
    ("anti-affinity", ["h1"], "h2", None, None, True),
    ("anti-affinity", ["h1"], "h1", 2, None, True),         # max_server_per_host 2
    ("anti-affinity", ["h1", "h1"], "h1", 2, None, False),
    ("soft-affinity", ["h1"], "h2", None, None, None),      # soft: weighers, not filters
])
def test_server_group_filters(policy: str | None, placed: list[str], name: str,
                              max_per_host: int | None, affinity: bool | None,
                              anti: bool | None) -> None:
    request = _spec(policy, placed, max_per_host)
    for f, expected in ((ServerGroupAffinityFilter(), affinity),
                        (ServerGroupAntiAffinityFilter(), anti)):
        assert f.applies(request) is (expected is not None)
        if expected is not None:
            assert f.host_passes(host(name), request) is expected


def test_anti_affinity_reason() -> None:
    assert ServerGroupAntiAffinityFilter().reason(_spec("anti-affinity", [], 3)) == \
        "already runs 3 members of server group g1 (anti-affinity, at most 3 per host)"
