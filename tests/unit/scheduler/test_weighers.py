"""Each weigher ranks by its own attribute; multipliers flip or mute it."""
import pytest

from scheduler import weights
from stratus.config import CONF
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("weigher,option,attrs,expected_first", [
    ("RAMWeigher", "ram_weight_multiplier", [("memory_mb_used", 4096), ("memory_mb_used", 0)],
     "b"),
    ("CPUWeigher", "cpu_weight_multiplier", [("vcpus_used", 0), ("vcpus_used", 6)], "a"),
    ("DiskWeigher", "disk_weight_multiplier", [("local_gb_used", 90), ("local_gb_used", 10)],
     "b"),
    ("IoOpsWeigher", "io_ops_weight_multiplier", [("io_ops", 0), ("io_ops", 5)], "a"),
])
@pytest.mark.parametrize("sign", [1, -1])  # the default multiplier, then its opposite
def test_weighers_spread_or_stack(weigher: str, option: str, attrs: list[tuple[str, int]],
                                  expected_first: str, sign: int) -> None:
    hosts = [host("a", **dict([attrs[0]])), host("b", **dict([attrs[1]]))]
    CONF.set_override(option, sign * getattr(CONF.scheduler, option), group="scheduler")
    try:
        ranked = weights.rank(hosts, weights.load([weigher]), spec())
    finally:
        CONF.clear_override(option, group="scheduler")
    first = ranked[0].host
    assert first == (expected_first if sign == 1 else ({"a", "b"} - {expected_first}).pop())


def test_num_instances_weigher_is_neutral_by_default() -> None:
    hosts = [host("a", num_instances=5), host("b", num_instances=0)]
    assert [h.host for h in weights.rank(hosts, weights.load(["NumInstancesWeigher"]),
                                         spec())] == ["a", "b"]
    CONF.set_override("num_instances_weight_multiplier", -1.0, group="scheduler")
    try:
        ranked = weights.rank(hosts, weights.load(["NumInstancesWeigher"]), spec())
    finally:
        CONF.clear_override("num_instances_weight_multiplier", group="scheduler")
    assert ranked[0].host == "b"


def test_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError, match="Unknown scheduler weighers: Nope"):
        weights.load(["Nope"])
