"""Ids in paths, service updates and the zone and liveness of services, with a fake
conductor and service group."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from compute_api import service
from compute_api.service import services
from stratus import exception
from stratus.api.validation import MAX_INT
from tests.unit.compute_service.fakes import ADMIN, FakeGroup, stub


@pytest.mark.parametrize("parse,not_found", [
    (service.parse_aggregate_id, exception.AggregateNotFound),
    (service.parse_service_id, exception.ServiceNotFound),
])
@pytest.mark.parametrize("raw,expected", [
    ("0", 0), ("7", 7), ("007", 7), (" 8 ", 8), (str(MAX_INT), MAX_INT),
    ("abc", exception.Invalid), ("1.5", exception.Invalid), ("", exception.Invalid),
    ("-1", "not found"), (str(MAX_INT + 1), "not found"), ("9" * 40, "not found"),
])
def test_parse_ids(parse: Callable[[str], int], not_found: type[Exception], raw: str,
                   expected: Any) -> None:
    if isinstance(expected, int):
        assert parse(raw) == expected
        return
    error = not_found if expected == "not found" else expected
    with pytest.raises(error) as caught:
        parse(raw)
    assert raw[:64] in str(caught.value)


def test_ids_are_shown_cut() -> None:
    with pytest.raises(exception.Invalid) as caught:
        service.parse_aggregate_id("x" * 100)
    assert "x" * 64 in str(caught.value) and "x" * 65 not in str(caught.value)


@pytest.mark.parametrize("body,expected", [
    ({"status": "enabled"}, {"disabled": False, "disabled_reason": None}),
    ({"status": "disabled"}, {"disabled": True, "disabled_reason": None}),
    ({"status": "disabled", "disabled_reason": "maintenance"},
     {"disabled": True, "disabled_reason": "maintenance"}),
    ({"forced_down": True}, {"forced_down": True}),
    ({"forced_down": "false"}, {"forced_down": False}),
    ({"status": "enabled", "forced_down": False},
     {"disabled": False, "disabled_reason": None, "forced_down": False}),
])
def test_update_changes(body: dict[str, Any], expected: dict[str, Any]) -> None:
    assert services.update_changes(body) == expected


@pytest.mark.parametrize("body,message", [
    ({}, "No updates were requested"),
    ({"disabled_reason": "why"}, "No updates were requested"),
    ({"status": "enabled", "disabled_reason": "why"}, "with status 'enabled' is invalid"),
])
def test_update_changes_refused(body: dict[str, Any], message: str) -> None:
    with pytest.raises(exception.Invalid, match=message):
        services.update_changes(body)


def _row(host: str, binary: str = "stratus-compute", **values: Any) -> dict[str, Any]:
    return {"host": host, "binary": binary, "uuid": f"{host}-{binary}", "disabled": False,
            **values}


@pytest.fixture
def group(monkeypatch: pytest.MonkeyPatch) -> FakeGroup:
    fake = FakeGroup({"h1"})
    monkeypatch.setattr(services, "get_driver", lambda: fake)
    return fake


AGGREGATES = [{"hosts": ["h2"], "metadata": {"availability_zone": "az2"}}]


def test_services_with_zone_and_liveness(monkeypatch: pytest.MonkeyPatch,
                                         group: FakeGroup) -> None:
    rows = [_row("h1"), _row("h2"), _row("h1", "stratus-scheduler")]
    stub(monkeypatch, services, service_list=rows, aggregate_list=AGGREGATES)
    found = service.list_services(ADMIN, None, None)
    assert [(d["service"]["uuid"], d["zone"], d["up"]) for d in found] == [
        ("h1-stratus-compute", "nova", True), ("h2-stratus-compute", "az2", False),
        ("h1-stratus-scheduler", "internal", True)]


@pytest.mark.parametrize("call,values", [
    (lambda: service.enable_service(ADMIN, "h1", "stratus-compute"),
     {"disabled": False, "disabled_reason": None}),
    (lambda: service.disable_service(ADMIN, "h1", "stratus-compute"), {"disabled": True}),
    (lambda: service.disable_service(ADMIN, "h1", "stratus-compute", "broken"),
     {"disabled": True, "disabled_reason": "broken"}),
    (lambda: service.force_down_service(ADMIN, "h1", "stratus-compute", True),
     {"forced_down": True}),
])
def test_updates_by_host(monkeypatch: pytest.MonkeyPatch, call: Callable[[], Any],
                         values: dict[str, Any]) -> None:
    fake = stub(monkeypatch, services, service_update={})
    call()
    assert fake.calls == [("service_update", {"host": "h1", "binary": "stratus-compute",
                                              "values": values})]


def test_only_compute_services_are_updated_by_uuid(monkeypatch: pytest.MonkeyPatch,
                                                   group: FakeGroup) -> None:
    fake = stub(monkeypatch, services, service_get=_row("h1", "stratus-scheduler"))
    with pytest.raises(exception.Invalid, match="Updating a nova-scheduler service"):
        service.update_compute_service(ADMIN, "h1-stratus-scheduler", {"status": "enabled"})
    assert [method for method, _ in fake.calls] == ["service_get"]


def test_update_by_uuid_checks_the_service_before_the_body(
        monkeypatch: pytest.MonkeyPatch, group: FakeGroup) -> None:
    stub(monkeypatch, services, service_get=_row("h1", "stratus-conductor"))
    with pytest.raises(exception.Invalid, match="nova-conductor"):
        service.update_compute_service(ADMIN, "u", {})


def test_update_by_uuid(monkeypatch: pytest.MonkeyPatch, group: FakeGroup) -> None:
    updated = _row("h2", disabled=True)
    fake = stub(monkeypatch, services, service_get=_row("h2"), service_update=updated,
                aggregate_list=AGGREGATES)
    found = service.update_compute_service(ADMIN, "h2-stratus-compute",
                                           {"status": "disabled"})
    assert found == {"service": updated, "zone": "az2", "up": False}
    assert fake.calls[1] == ("service_update", {
        "service_uuid": "h2-stratus-compute",
        "values": {"disabled": True, "disabled_reason": None}})


@pytest.mark.parametrize("kwargs", [{"service_id": 3}, {"service_uuid": "u3"}])
def test_delete_service(monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, Any]) -> None:
    fake = stub(monkeypatch, services, service_delete=None)
    service.delete_service(ADMIN, **kwargs)
    assert fake.calls == [("service_delete", kwargs)]
