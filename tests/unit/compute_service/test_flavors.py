"""Flavor create values, extra specs and access lists, with a fake conductor."""
from __future__ import annotations

from typing import Any

import pytest

from compute_api import service
from compute_api.service import flavors
from stratus import exception
from stratus.context import RequestContext
from tests.unit.compute_service.fakes import ADMIN, MEMBER, stub

BASE = {"name": "m1", "ram": 512, "vcpus": 1, "disk": 1}


@pytest.mark.parametrize("request_body,expected", [
    ({}, {"name": "m1", "flavorid": None, "memory_mb": 512, "vcpus": 1, "root_gb": 1,
          "ephemeral_gb": 0, "swap": 0, "rxtx_factor": 1.0, "is_public": True,
          "description": None}),
    ({"id": 7}, {"flavorid": "7"}),
    ({"id": "f1", "ram": "1024", "vcpus": "2", "disk": "10"},
     {"flavorid": "f1", "memory_mb": 1024, "vcpus": 2, "root_gb": 10}),
    ({"disk": "", "swap": None, "OS-FLV-EXT-DATA:ephemeral": 5},
     {"root_gb": 0, "swap": 0, "ephemeral_gb": 5}),
    ({"rxtx_factor": "2.5"}, {"rxtx_factor": 2.5}),
    ({"os-flavor-access:is_public": "false"}, {"is_public": False}),
    ({"os-flavor-access:is_public": False, "description": "small"},
     {"is_public": False, "description": "small"}),
])
def test_flavor_values(request_body: dict[str, Any], expected: dict[str, Any]) -> None:
    values = flavors.flavor_values({**BASE, **request_body})
    assert {k: values[k] for k in expected} == expected


@pytest.mark.parametrize("request_body,error,message", [
    ({"ram": 0}, exception.Invalid, "ram and vcpus must be at least 1"),
    ({"vcpus": ""}, exception.Invalid, "ram and vcpus must be at least 1"),
    ({"rxtx_factor": float("nan")}, exception.ValidationError, "finite number"),
    ({"rxtx_factor": "Infinity"}, exception.ValidationError, "finite number"),
])
def test_flavor_values_refused(request_body: dict[str, Any], error: type[Exception],
                               message: str) -> None:
    with pytest.raises(error, match=message):
        flavors.flavor_values({**BASE, **request_body})


@pytest.mark.parametrize("specs,expected", [
    ({}, {}),
    ({"hw:cpu_policy": "dedicated"}, {"hw:cpu_policy": "dedicated"}),
    ({"a": 1, "b": 2.5}, {"a": "1", "b": "2.5"}),
    ({"t": True, "f": False}, {"t": "true", "f": "false"}),
])
def test_stringify_specs(specs: dict[str, Any], expected: dict[str, str]) -> None:
    assert flavors.stringify_specs(specs) == expected


@pytest.mark.parametrize("ctx,project_id", [(MEMBER, "p1"), (ADMIN, None)])
def test_flavors_are_those_the_caller_may_see(monkeypatch: pytest.MonkeyPatch,
                                              ctx: RequestContext,
                                              project_id: str | None) -> None:
    fake = stub(monkeypatch, flavors, flavor_list=[], flavor_get={"extra_specs": None})
    service.list_flavors(ctx, is_public=True, min_memory_mb=0, min_root_gb=0,
                         sort_key="flavorid", sort_dir="asc", limit=10, marker=None)
    service.get_flavor(ctx, "f1")
    assert [kwargs["project_id"] for _method, kwargs in fake.calls] == [project_id] * 2


@pytest.mark.parametrize("stored,key,expected", [
    (None, "k", None),
    ({}, "k", None),
    ({"k": "v"}, "k", "v"),
    ({"k": "v"}, "other", None),
])
def test_flavor_extra_spec(monkeypatch: pytest.MonkeyPatch, stored: dict[str, str] | None,
                           key: str, expected: str | None) -> None:
    stub(monkeypatch, flavors, flavor_get={"extra_specs": stored})
    assert service.flavor_extra_specs(MEMBER, "f1") == (stored or {})
    if expected is None:
        with pytest.raises(exception.FlavorExtraSpecNotFound):
            service.flavor_extra_spec(MEMBER, "f1", key)
    else:
        assert service.flavor_extra_spec(MEMBER, "f1", key) == expected


def test_set_extra_specs_stores_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stub(monkeypatch, flavors, flavor_extra_specs_update=None)
    assert service.set_flavor_extra_specs(ADMIN, "f1", {"n": 4, "b": True}) == {
        "n": "4", "b": "true"}
    assert fake.calls == [("flavor_extra_specs_update",
                           {"flavorid": "f1", "specs": {"n": "4", "b": "true"}})]


@pytest.mark.parametrize("is_public,projects,refused", [
    (True, [], True),
    (False, [], False),
    (False, ["p1", "p2"], False),
])
def test_flavor_access_list(monkeypatch: pytest.MonkeyPatch, is_public: bool,
                            projects: list[str], refused: bool) -> None:
    fake = stub(monkeypatch, flavors,
                flavor_get={"is_public": is_public, "projects": projects})
    if refused:
        with pytest.raises(exception.NotFound, match="public flavors"):
            service.flavor_access_list(ADMIN, "f1")
    else:
        assert service.flavor_access_list(ADMIN, "f1") == projects
    # Access lists are looked up across projects.
    assert fake.calls == [("flavor_get", {"flavorid": "f1"})]
