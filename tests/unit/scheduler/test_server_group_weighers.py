"""Soft affinity ranks hosts with more members first; soft anti-affinity fewer."""
import pytest

from scheduler import weights
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("policy,weigher,first", [
    ("soft-affinity", "ServerGroupSoftAffinityWeigher", "b"),
    ("soft-anti-affinity", "ServerGroupSoftAntiAffinityWeigher", "a"),
    ("soft-affinity", "ServerGroupSoftAntiAffinityWeigher", "a"),     # other policy: neutral
    ("anti-affinity", "ServerGroupSoftAffinityWeigher", "a"),
])
def test_server_group_weighers(policy: str, weigher: str, first: str) -> None:
    request = spec(group={"uuid": "g", "policy": policy, "rules": {}},
                   group_hosts=["b", "b", "c"])
    ranked = weights.rank([host("a"), host("b"), host("c")], weights.load([weigher]), request)
    assert ranked[0].host == first
