import pytest

from scheduler.filters.compute_capabilities import ComputeCapabilitiesFilter
from scheduler.filters.extra_specs_ops import match
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("specs,passes", [
    ({}, True),
    ({"capabilities:hypervisor_type": "s== QEMU"}, True),
    ({"capabilities:hypervisor_type": "s== fake"}, False),
    ({"capabilities:vcpus": ">= 8"}, True),
    ({"capabilities:vcpus": ">= 16"}, False),
    ({"capabilities:hypervisor_type": "<or> fake <or> QEMU"}, True),
    ({"capabilities:no_such_attribute": "1"}, False),
    ({"hw:cpu_policy": "dedicated"}, True),   # not a capability: ignored
])
def test_compute_capabilities(specs: dict[str, str], passes: bool) -> None:
    h = host(hypervisor_type="QEMU", vcpus=8)
    assert ComputeCapabilitiesFilter().host_passes(h, spec(extra_specs=specs)) is passes


@pytest.mark.parametrize("value,requirement,result", [
    (4, "= 2", True), (1, "= 2", False), (4, "== 4", True), ("x86_64", "s== x86_64", True),
    ("abc", "<in> b", True), ("abc", "<in> z", False), ("a", "<or> a <or> b", True),
    ("c", "<or> a <or> b", False), ("same", "same", True), ("x", "!= 1", False),
])
def test_extra_specs_ops(value: object, requirement: str, result: bool) -> None:
    assert match(value, requirement) is result
