"""Usage windows and the usage audit summary of compute_api/service/usage.py, with a fake
conductor."""
from __future__ import annotations

import datetime
from typing import Any

import pytest

from compute_api import service
from compute_api.service import usage
from stratus import exception
from tests.unit.compute_service.fakes import ADMIN, stub

T = datetime.datetime
NOW = T(2024, 3, 15, 12)


@pytest.mark.parametrize("start,end,expected", [
    ("2024-03-01T00:00:00", "2024-03-02T00:00:00", (T(2024, 3, 1), T(2024, 3, 2))),
    ("2024-03-01T00:00:00.5", "2024-03-02 00:00:00.000001",
     (T(2024, 3, 1, 0, 0, 0, 500000), T(2024, 3, 2, 0, 0, 0, 1))),
    ("2024-03-01T00:00:00", "2024-04-01T00:00:00", (T(2024, 3, 1), NOW)),  # ends by now
    ("2024-03-01T00:00:00", None, (T(2024, 3, 1), NOW)),
    (None, None, (NOW, NOW)),
    ("", "", (NOW, NOW)),
    ("2024-03-20T00:00:00", "2024-03-21T00:00:00", (T(2024, 3, 20), T(2024, 3, 20))),
])
def test_usage_window(start: str | None, end: str | None, expected: tuple[T, T]) -> None:
    assert service.usage_window(start, end, now=NOW) == expected


@pytest.mark.parametrize("start,end,message", [
    ("2024-03-02T00:00:00", "2024-03-01T00:00:00", "start time cannot occur after"),
    ("2024-03-01T00:00:00", "2024-03-01T00:00:00", "start time cannot occur after"),
    ("2024-03-20T00:00:00", None, "start time cannot occur after"),
    ("2024-03-01", None, "Datetime is in invalid format"),
    ("2024-03-01 00:00:00", None, "Datetime is in invalid format"),
    ("2024-03-01T00:00:00Z", None, "Datetime is in invalid format"),
    (None, "tomorrow", "Datetime is in invalid format"),
])
def test_bad_usage_windows(start: str | None, end: str | None, message: str) -> None:
    with pytest.raises(exception.Invalid, match=message):
        service.usage_window(start, end, now=NOW)


def test_tenant_usages_sends_the_window_and_shows_it(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = {"tenant_usages": [{"tenant_id": "p1", "total_hours": 1.0}], "instances": 1,
              "last_instance": "u1"}
    fake = stub(monkeypatch, usage, tenant_usage=lambda **kw: dict(answer))
    found = service.tenant_usages(ADMIN, T(2024, 3, 1), T(2024, 3, 2, 0, 0, 0, 5),
                                  project_id="p1", detailed=False, limit=5, marker="m")
    assert fake.calls == [("tenant_usage", {
        "period_start": "2024-03-01T00:00:00", "period_stop": "2024-03-02T00:00:00.000005",
        "project_id": "p1", "detailed": False, "limit": 5, "marker": "m"})]
    assert found["tenant_usages"] == [{"tenant_id": "p1", "total_hours": 1.0,
                                       "start": "2024-03-01T00:00:00.000000",
                                       "stop": "2024-03-02T00:00:00.000005"}]


@pytest.mark.parametrize("raw,expected", [
    ("2024-03-15 10:00:00", T(2024, 3, 15, 10)),
    ("2024-03-15 10:00:00.25", T(2024, 3, 15, 10, 0, 0, 250000)),
    ("invalid_time", None), ("2024-03-15", None), ("2024-03-15T10:00:00", None),
    ("2024-02-30 10:00:00", None),
])
def test_audit_timestamp(raw: str, expected: T | None) -> None:
    if expected is None:
        with pytest.raises(exception.Invalid, match=f"Invalid timestamp for date {raw}"):
            service.audit_timestamp(raw)
    else:
        assert service.audit_timestamp(raw) == expected


def _log(host: str, state: str, items: int, errors: int = 0) -> dict[str, Any]:
    return {"host": host, "state": state, "task_items": items, "errors": errors,
            "message": f"{host} {state}"}


@pytest.mark.parametrize("logs,hosts,counts,status", [
    ([], set(), (0, 0, 0, 0), "ALL hosts done. 0 errors."),
    ([], {"a", "b"}, (2, 0, 0, 2), "0 of 2 hosts done. 0 errors."),
    ([_log("a", "DONE", 3)], {"a", "b"}, (2, 1, 0, 1), "1 of 2 hosts done. 0 errors."),
    ([_log("a", "DONE", 3, 1), _log("b", "RUNNING", 2)], {"a", "b"}, (2, 1, 1, 0),
     "1 of 2 hosts done. 1 errors."),
    ([_log("a", "DONE", 3), _log("b", "DONE", 2, 2)], {"a", "b"}, (2, 2, 0, 0),
     "ALL hosts done. 2 errors."),
])
def test_audit_report(logs: list[dict[str, Any]], hosts: set[str],
                      counts: tuple[int, int, int, int], status: str) -> None:
    report = usage.audit_report(logs, hosts, T(2024, 2, 1), T(2024, 3, 1))
    assert (report["num_hosts"], report["num_hosts_done"], report["num_hosts_running"],
            report["num_hosts_not_run"]) == counts
    assert report["overall_status"] == status
    assert report["hosts_not_run"] == sorted(hosts - {t["host"] for t in logs})
    assert report["total_instances"] == sum(t["task_items"] for t in logs)
    assert (report["period_beginning"], report["period_ending"]) == (
        "2024-02-01 00:00:00", "2024-03-01 00:00:00")
    assert report["log"] == {t["host"]: {"state": t["state"], "instances": t["task_items"],
                                         "errors": t["errors"], "message": t["message"]}
                             for t in logs}


def test_audit_log_reads_the_period_and_the_compute_hosts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stub(monkeypatch, usage, task_log_get_all=[_log("a", "DONE", 1)],
                service_list=[{"host": "a"}, {"host": "b"}])
    report = service.instance_usage_audit_log(ADMIN, T(2024, 3, 15))
    assert fake.calls == [
        ("task_log_get_all", {"task_name": "instance_usage_audit",
                              "period_beginning": "2024-02-01T00:00:00",
                              "period_ending": "2024-03-01T00:00:00"}),
        ("service_list", {"binary": "stratus-compute"})]
    assert report["hosts_not_run"] == ["b"] and report["num_hosts_done"] == 1
