"""Usage per project over a window is computed by the database, in one statement, the same
on SQLite, MariaDB and PostgreSQL: hours within the window, uptime, paging by project and
uuid, totals grouped per project; and the usage audit's task log."""
from __future__ import annotations

import datetime
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

from conductor import manage
from conductor.compute.models import Instance
from conductor.compute.queries import usage
from conductor.db import api as db
from stratus import exception
from tests.functional.conftest import configure, reset_process_state, unconfigure
from tests.functional.test_migrations import database

T = datetime.datetime
START, STOP = T(2020, 1, 1), T(2020, 1, 2)
FLAVOR = {"name": "m1.small", "vcpus": 1, "memory_mb": 2048, "root_gb": 20}


def _uuid(c: str) -> str:
    return "00000000-0000-0000-0000-00000000000" + c


# uuid, project, host, vcpus, memory_mb, root_gb, ephemeral_gb, launched_at, terminated_at
ROWS = [
    ("a", "p1", "h1", 2, 512, 10, 5, T(2019, 12, 31, 12), None),            # all 24 h
    ("b", "p1", "h1", 1, 2048, 20, 0, T(2020, 1, 1, 6), T(2020, 1, 1, 9, 30)),  # 3.5 h
    ("c", "p2", "h2", 4, 1024, 1, 0, T(2020, 1, 1, 23), None),              # the last 1 h
    ("d", "p2", "h2", 1, 512, 1, 0, T(2020, 1, 2, 1), None),                # after it
    ("e", "p1", "h1", 1, 512, 1, 0, T(2019, 12, 30), T(2019, 12, 31)),      # before it
    ("f", "p1", "h1", 1, 512, 1, 0, None, None),                            # never ran
]


@pytest.fixture(params=["sqlite", "mysql", "postgresql"])
def instances(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        configure(str(tmp_path), url)
        reset_process_state()
        try:
            manage.db_sync()
            with db.writer() as s:
                for i, (c, project, host, vcpus, memory, root, eph, launched,
                        terminated) in enumerate(ROWS, start=1):
                    s.add(Instance(
                        uuid=_uuid(c), name=f"vm-{c}", project_id=project, user_id="u",
                        flavor=FLAVOR, vcpus=vcpus, memory_mb=memory, root_gb=root,
                        ephemeral_gb=eph, host=host, reservation_id="r",
                        vm_state="deleted" if terminated else "active",
                        launched_at=launched, terminated_at=terminated,
                        deleted=i if terminated else 0))
            yield request.param
        finally:
            reset_process_state()
            unconfigure()


def _servers(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["instance_id"][-1]: s for u in result["tenant_usages"]
            for s in u["server_usages"]}


def test_hours_within_the_window_per_server_and_project(instances: str) -> None:
    result = usage.tenant_usage(START, STOP)
    assert (result["instances"], result["last_instance"]) == (3, _uuid("c"))
    servers = _servers(result)
    assert list(servers) == ["a", "b", "c"]
    assert [servers[c]["hours"] for c in "abc"] == pytest.approx([24, 3.5, 1])
    b = servers["b"]
    assert b == {**b, "name": "vm-b", "tenant_id": "p1", "flavor": "m1.small", "vcpus": 1,
                 "memory_mb": 2048, "local_gb": 20, "state": "terminated",
                 "started_at": "2020-01-01T06:00:00.000000",
                 "ended_at": "2020-01-01T09:30:00.000000", "uptime": 12600}
    a = servers["a"]
    assert (a["state"], a["ended_at"], a["local_gb"]) == ("active", None, 15)
    running_for = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - \
        T(2019, 12, 31, 12)
    assert abs(a["uptime"] - running_for.total_seconds()) < 60
    p1, p2 = result["tenant_usages"]
    assert (p1["tenant_id"], p2["tenant_id"]) == ("p1", "p2")
    assert p1["total_hours"] == pytest.approx(27.5)
    assert p1["total_vcpus_usage"] == pytest.approx(2 * 24 + 1 * 3.5)
    assert p1["total_memory_mb_usage"] == pytest.approx(512 * 24 + 2048 * 3.5)
    assert p1["total_local_gb_usage"] == pytest.approx(15 * 24 + 20 * 3.5)
    assert p2["total_vcpus_usage"] == pytest.approx(4)


def test_totals_without_details_are_grouped_by_the_database(instances: str) -> None:
    detailed = usage.tenant_usage(START, STOP)
    summary = usage.tenant_usage(START, STOP, detailed=False)
    assert (summary["instances"], summary["last_instance"]) == (3, _uuid("c"))
    for brief, full in zip(summary["tenant_usages"], detailed["tenant_usages"], strict=True):
        assert "server_usages" not in brief
        assert brief == pytest.approx({k: v for k, v in full.items() if k != "server_usages"})


def test_a_project_and_a_narrower_window(instances: str) -> None:
    result = usage.tenant_usage(T(2020, 1, 1, 8), T(2020, 1, 1, 12), project_id="p1")
    assert [u["tenant_id"] for u in result["tenant_usages"]] == ["p1"]
    assert {c: s["hours"] for c, s in _servers(result).items()} == pytest.approx(
        {"a": 4, "b": 1.5})
    assert usage.tenant_usage(START, STOP, project_id="nobody") == {
        "tenant_usages": [], "instances": 0, "last_instance": None}


def test_pages_by_project_then_uuid(instances: str) -> None:
    seen, marker = [], None
    while True:
        page = usage.tenant_usage(START, STOP, limit=2, marker=marker)
        seen.append(list(_servers(page)))
        if page["instances"] < 2:
            break
        marker = page["last_instance"]
    assert seen == [["a", "b"], ["c"]]
    summary = usage.tenant_usage(START, STOP, detailed=False, limit=1, marker=_uuid("a"))
    assert [(u["tenant_id"], u["total_hours"]) for u in summary["tenant_usages"]] == [
        ("p1", pytest.approx(3.5))]
    # A marker outside the window still places the page; an unknown one is refused.
    assert usage.tenant_usage(START, STOP, marker=_uuid("e"))["instances"] == 1
    assert usage.tenant_usage(START, STOP, marker=_uuid("d"))["instances"] == 0
    with pytest.raises(exception.Invalid, match="Marker nope could not be found"):
        usage.tenant_usage(START, STOP, marker="nope")


def test_the_audit_counts_a_hosts_instances_once_per_period(instances: str) -> None:
    first = usage.record_usage_audit("h1", START, STOP)
    assert first is not None
    assert (first["state"], first["task_items"], first["errors"]) == ("DONE", 2, 0)
    assert first["period_beginning"] == "2020-01-01 00:00:00"
    assert first["message"].startswith("Instance usage audit ran for host h1, 2 instances")
    assert usage.record_usage_audit("h1", START, STOP) is None
    assert usage.record_usage_audit("h2", START, STOP)["task_items"] == 1
    assert [(t["host"], t["task_items"]) for t in usage.task_logs(
        usage.AUDIT_TASK, START, STOP)] == [("h1", 2), ("h2", 1)]
    assert usage.task_logs(usage.AUDIT_TASK, STOP, T(2020, 1, 3)) == []


def test_fractions_of_a_second_are_kept_where_the_database_keeps_them(instances: str) -> None:
    import sqlalchemy as sa
    with db.writer() as s:
        s.execute(sa.update(Instance).where(Instance.uuid == _uuid("b")).values(
            launched_at=T(2020, 1, 1, 6, 0, 0, 250000),
            terminated_at=T(2020, 1, 1, 9, 30, 0, 999999)))
    b = _servers(usage.tenant_usage(START, STOP))["b"]
    if instances == "mysql":  # DATETIME without a precision keeps whole seconds
        assert b["uptime"] in (12600, 12601)
        assert b["hours"] == pytest.approx(3.5, abs=2 / 3600)
    else:
        assert b["uptime"] == 12600  # 12600.749999 s, truncated as Nova's int()
        assert b["started_at"] == "2020-01-01T06:00:00.250000"
        assert b["hours"] * 3600 == pytest.approx(12600.749999, abs=1e-6)
