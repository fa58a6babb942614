import pytest

from scheduler.filters.aggregate_instance_extra_specs import AggregateInstanceExtraSpecsFilter
from tests.unit.scheduler.hosts import host, spec


def _in(*metadata: dict[str, str]) -> list[dict[str, object]]:
    return [{"id": i, "name": f"agg{i}", "metadata": m} for i, m in enumerate(metadata)]


@pytest.mark.parametrize("extra_specs,aggregates,passes", [
    ({}, [], True),                                                     # nothing asked
    ({"aggregate_instance_extra_specs:ssd": "true"}, _in({"ssd": "true"}), True),
    ({"aggregate_instance_extra_specs:ssd": "true"}, _in({"ssd": "false"}), False),
    ({"aggregate_instance_extra_specs:ssd": "true"}, [], False),        # in no aggregate
    ({"ssd": "true"}, _in({"ssd": "true"}), True),                      # unscoped, as Nova
    ({"hw:cpu_policy": "dedicated"}, [], True),                         # other scopes ignored
    ({"aggregate_instance_extra_specs:ssd": "true"},
     _in({"ssd": "false"}, {"ssd": "true"}), True),                     # any aggregate
    ({"aggregate_instance_extra_specs:cores": ">= 8"}, _in({"cores": "16"}), True),
    ({"aggregate_instance_extra_specs:tier": "<or> gold <or> silver"},
     _in({"tier": "bronze"}), False),
    ({"aggregate_instance_extra_specs:ssd": "true", "aggregate_instance_extra_specs:gpu":
      "true"}, _in({"ssd": "true"}), False),                            # every key must match
])
def test_aggregate_instance_extra_specs(extra_specs: dict[str, str], aggregates: list,
                                        passes: bool) -> None:
    f = AggregateInstanceExtraSpecsFilter()
    request = spec(extra_specs=extra_specs)
    assert f.applies(request) is bool(
        {k for k in extra_specs if k.split(":")[0] in ("aggregate_instance_extra_specs", k)})
    assert f.host_passes(host(aggregates=aggregates), request) is passes


def test_reason_names_the_keys() -> None:
    request = spec(extra_specs={"aggregate_instance_extra_specs:ssd": "true"})
    assert AggregateInstanceExtraSpecsFilter().reason(request) == \
        "in no aggregate with metadata ssd=true"
