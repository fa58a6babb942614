"""The 2.86 extra spec validator, called directly."""
from __future__ import annotations

import time
from typing import Any

import pytest

from compute_api.extra_spec_validation import validate
from stratus import exception

ACCEPTED: list[tuple[str, Any]] = [
    ("hw:numa_cpus.0", "0-3,^2"), ("hw:numa_mem.1", "512"), ("hw:boot_menu", "Yes"),
    ("hw:mem_page_size", "2MiB"), ("hw:cpu_max_threads", 2), ("hw:pmem", "a,b"),
    ("resources1:VCPU", "1"), ("resources_x:CUSTOM_GPU", "1"), ("resources:PCPU", "-1"),
    ("trait_g:CUSTOM_X", "forbidden"), ("capabilities:cpu_info:arch", "x86_64"),
    ("capabilities:vcpus", ">= 2"), ("aggregate_instance_extra_specs:a:b", "s== x"),
    ("pci_passthrough:alias", "a1:2, b:1"), ("quota:cpu_quota", "-1"),
    ("quota:vif_shares_level", "custom"), ("powervm:proc_units", "0.5"),
    ("vmware:hw_version", "vmx-13"), ("group_policy", "isolate"), ("plain_key", "x"),
    ("os:secure_boot", "required"), ("hw_rng:allowed", True),
]

REFUSED: list[tuple[str, Any, str]] = [
    ("hw:numa_cpus.x", "0", "extra spec 'hw:numa_cpus.x' does not appear to be a valid "
                            "extra spec."),
    ("resources:FOO", "1", "extra spec 'resources:FOO' does not appear to be a valid "
                           "extra spec."),
    ("trait:lower_case", "required", "extra spec 'trait:lower_case' does not appear to "
                                     "be a valid extra spec."),
    ("hw:redirected_usb_ports", "16", "'16' is greater than the max value of '15'."),
    ("hw:boot_menu", "maybe", "'maybe' is not a valid boolean-like value."),
    ("hw_rng:rate_bytes", 1.5, "'1.5' is not a valid integer value."),
    ("hw:cpu_dedicated_mask", "0-", r"'0-' is not of the format "
                                    r"'\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*'."),
    ("group_policy", "all", "'all' is not one of: isolate, none."),
    ("vmware:other", "x", "extra spec 'vmware:other' does not appear to be a valid "
                          "extra spec."),
]


@pytest.mark.parametrize(("key", "value"), ACCEPTED)
def test_accepted(key: str, value: Any) -> None:
    validate(key, value)


@pytest.mark.parametrize(("key", "value", "detail"), REFUSED)
def test_refused_with_novas_message(key: str, value: Any, detail: str) -> None:
    with pytest.raises(exception.ValidationError) as caught:
        validate(key, value)
    assert caught.value.code == 400
    assert caught.value.message == "Validation failed; " + detail


@pytest.mark.parametrize(("key", "value"), [
    ("hw:cpu_realtime_mask", "0" + ",1-1" * 60 + "x"),
    ("hw:pmem", "a" * 254 + "!"),
    ("pci_passthrough:alias", "a:1" + ", b:1" * 50 + "x"),
])
def test_nested_patterns_fail_fast(key: str, value: str) -> None:
    """Nova's patterns backtrack exponentially on these in Python's re."""
    started = time.monotonic()
    with pytest.raises(exception.ValidationError):
        validate(key, value)
    assert time.monotonic() - started < 0.5
