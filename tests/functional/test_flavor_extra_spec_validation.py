"""Microversion 2.86: known flavor extra specs are validated on POST and PUT."""
from __future__ import annotations

from typing import Any

from tests.functional.conftest import Cloud
from tests.functional.microversions import at

SPECS = "/v2.1/flavors/1/os-extra_specs"

# key, value, Nova's message at 2.86 (None: accepted).
CASES: list[tuple[str, Any, str | None]] = [
    ("hw:cpu_policy", "dedicated", None),
    ("hw:cpu_policy", "bogus",
     "Validation failed; 'bogus' is not one of: dedicated, shared, mixed."),
    ("hw:nosuchkey", "1",
     "Validation failed; extra spec 'hw:nosuchkey' does not appear to be a valid extra "
     "spec."),
    ("my_namespace:anything", "whatever", None),
    ("resources:VCPU", "abc", "Validation failed; 'abc' is not a valid integer value."),
    ("resources:CUSTOM_FOO", 2, None),
    ("trait:HW_CPU_X86_AVX2", "required", None),
    ("trait:HW_CPU_X86_AVX2", "sometimes",
     "Validation failed; 'sometimes' is not one of: required, forbidden."),
    ("hw:numa_nodes", "0", "Validation failed; '0' is less than the min value of '1'."),
]
BAD = [(key, value) for key, value, message in CASES if message]


def _bad_request(message: str) -> dict[str, Any]:
    return {"badRequest": {"code": 400, "message": message}}


def test_post_validates_known_specs_from_2_86(cloud: Cloud) -> None:
    admin = at(cloud.headers(), 86)
    for key, value, message in CASES:
        resp = cloud.compute.post(SPECS, headers=admin, json={"extra_specs": {key: value}})
        if message is None:
            assert resp.status_code == 200, (key, resp.text)
            assert resp.json() == {"extra_specs": {key: str(value)}}
        else:
            assert resp.status_code == 400, (key, resp.text)
            assert resp.json() == _bad_request(message)
    assert cloud.compute.get(SPECS, headers=admin).json() == {"extra_specs": {
        "hw:cpu_policy": "dedicated", "my_namespace:anything": "whatever",
        "resources:CUSTOM_FOO": "2", "trait:HW_CPU_X86_AVX2": "required"}}


def test_before_2_86_anything_goes(cloud: Cloud) -> None:
    admin = at(cloud.headers(), 85)
    resp = cloud.compute.post(SPECS, headers=admin, json={"extra_specs": dict(BAD)})
    assert resp.status_code == 200, resp.text
    key, value = BAD[0]
    resp = cloud.compute.put(f"{SPECS}/{key}", headers=admin, json={key: value})
    assert resp.status_code == 200, resp.text


def test_put_validates_from_2_86(cloud: Cloud) -> None:
    admin = at(cloud.headers(), 86)
    resp = cloud.compute.put(f"{SPECS}/hw:numa_nodes", headers=admin,
                             json={"hw:numa_nodes": 0})
    assert resp.status_code == 400
    assert resp.json() == _bad_request(
        "Validation failed; '0' is less than the min value of '1'.")
    resp = cloud.compute.put(f"{SPECS}/hw:numa_nodes", headers=admin,
                             json={"hw:numa_nodes": 2})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"hw:numa_nodes": "2"}
    # A bad value is refused before the flavor is looked up, as Nova does.
    resp = cloud.compute.put("/v2.1/flavors/missing/os-extra_specs/hw:nosuchkey",
                             headers=admin, json={"hw:nosuchkey": "1"})
    assert resp.status_code == 400, resp.text
