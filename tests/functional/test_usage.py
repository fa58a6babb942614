"""/os-simple-tenant-usage and /os-instance_usage_audit_log through the compute API, in
Nova's shapes, against an embedded cloud."""
from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import pytest
import sqlalchemy as sa

from conductor.compute.models import Instance
from conductor.db import api as db
from stratus.audit_period import last_completed_audit_period
from stratus.config import CONF
from tests.functional.conftest import Cloud

T = datetime.datetime
FMT = "%Y-%m-%dT%H:%M:%S.%f"
USAGE_KEYS = {"tenant_id", "server_usages", "start", "stop", "total_hours",
              "total_local_gb_usage", "total_memory_mb_usage", "total_vcpus_usage"}
SERVER_KEYS = {"instance_id", "name", "hours", "memory_mb", "local_gb", "vcpus", "flavor",
               "started_at", "ended_at", "state", "tenant_id", "uptime"}
V240 = {"OpenStack-API-Version": "compute 2.40"}


def _ran(uuid: str, launched: T, terminated: T | None = None) -> None:
    """Give an instance (deleted or not) the run times the test needs."""
    with db.writer() as s:
        s.execute(sa.update(Instance).where(Instance.uuid == uuid).values(
            launched_at=launched, terminated_at=terminated))


def _servers(cloud: Cloud, headers: dict[str, str], n: int) -> list[str]:
    image = cloud.create_image(cloud.headers(), visibility="public")["id"]
    ids = [cloud.boot(headers, image, name=f"vm{i}")["id"] for i in range(n)]
    for sid in ids:
        cloud.wait_for_server(headers, sid)
    return ids


def _get(cloud: Cloud, path: str, headers: dict[str, str], **params: Any) -> Any:
    return cloud.compute.get(path, params=params, headers=headers)


def test_usage_of_servers_that_ran_and_were_deleted(cloud: Cloud) -> None:
    admin = cloud.headers()
    member = cloud.make_user("member")
    mine = _servers(cloud, member["headers"], 2)
    theirs = _servers(cloud, admin, 1)
    assert cloud.compute.delete(f"/v2.1/servers/{mine[1]}",
                                headers=member["headers"]).status_code == 204
    cloud.wait_until_gone(member["headers"], mine[1])
    _ran(mine[0], T(2020, 1, 1, 6))                          # still running
    _ran(mine[1], T(2020, 1, 1, 8), T(2020, 1, 1, 11, 30))   # deleted after 3.5 h
    _ran(theirs[0], T(2019, 12, 1))
    window = {"start": "2020-01-01T10:00:00", "end": "2020-01-01T12:00:00.000000"}

    listed = _get(cloud, "/v2.1/os-simple-tenant-usage", admin, detailed="1", **window)
    assert listed.status_code == 200, listed.text
    usages = {u["tenant_id"]: u for u in listed.json()["tenant_usages"]}
    assert set(usages) == {member["project_id"], cloud.admin_project_id}
    ours = usages[member["project_id"]]
    assert set(ours) == USAGE_KEYS
    assert (ours["start"], ours["stop"]) == ("2020-01-01T10:00:00.000000",
                                             "2020-01-01T12:00:00.000000")
    by_id = {s["instance_id"]: s for s in ours["server_usages"]}
    assert set(by_id) == set(mine) and all(set(s) == SERVER_KEYS for s in by_id.values())
    running, deleted = by_id[mine[0]], by_id[mine[1]]
    assert running["hours"] == pytest.approx(2) and deleted["hours"] == pytest.approx(1.5)
    assert (running["state"], running["ended_at"], running["flavor"]) == (
        "active", None, "m1.tiny")
    assert (deleted["state"], deleted["ended_at"], deleted["uptime"]) == (
        "terminated", "2020-01-01T11:30:00.000000", 12600)
    assert (running["vcpus"], running["memory_mb"], running["local_gb"]) == (1, 512, 1)
    assert ours["total_hours"] == pytest.approx(3.5)
    assert ours["total_memory_mb_usage"] == pytest.approx(512 * 3.5)

    brief = _get(cloud, "/v2.1/os-simple-tenant-usage", admin, **window).json()
    assert all("server_usages" not in u for u in brief["tenant_usages"])
    for no in ("0", "yes", ""):
        assert all("server_usages" not in u for u in _get(
            cloud, "/v2.1/os-simple-tenant-usage", admin, detailed=no,
            **window).json()["tenant_usages"])
    # openstacksdk (`openstack usage list`) says detailed=True. (A running server's
    # uptime counts to now, so it may be a second on between the two answers.)
    def steady(body: dict[str, Any]) -> dict[str, Any]:
        return {"tenant_usages": [{**u, "server_usages": [
            {k: v for k, v in s.items() if k != "uptime" or s["state"] != "active"}
            for s in u["server_usages"]]} for u in body["tenant_usages"]]}

    assert steady(_get(cloud, "/v2.1/os-simple-tenant-usage", admin, detailed="True",
                       **window).json()) == steady(listed.json())
    shown = _get(cloud, f"/v2.1/os-simple-tenant-usage/{member['project_id']}",
                 member["headers"], **window)
    assert shown.status_code == 200, shown.text
    assert steady({"tenant_usages": [shown.json()["tenant_usage"]]}) == steady(
        {"tenant_usages": [ours]})
    # A window before anything ran, and a project with no servers.
    assert _get(cloud, f"/v2.1/os-simple-tenant-usage/{member['project_id']}", admin,
                start="2019-01-01T00:00:00", end="2019-02-01T00:00:00").json() == {
        "tenant_usage": {}}
    # Without dates the window is empty (now to now).
    assert _get(cloud, "/v2.1/os-simple-tenant-usage", admin).status_code == 200


def test_usage_pages_from_2_40(cloud: Cloud) -> None:
    admin = cloud.headers()
    ids = sorted(_servers(cloud, admin, 3))
    window = {"start": "2000-01-01T00:00:00", "end": "2100-01-01T00:00:00",
              "detailed": "1"}
    first = _get(cloud, "/v2.1/os-simple-tenant-usage", {**admin, **V240}, limit=2,
                 **window).json()
    assert [s["instance_id"] for s in first["tenant_usages"][0]["server_usages"]] == ids[:2]
    (link,) = first["tenant_usages_links"]
    assert link["rel"] == "next"
    query = parse_qs(urlparse(link["href"]).query)
    assert query["marker"] == [ids[1]] and query["limit"] == ["2"]
    second = _get(cloud, "/v2.1/os-simple-tenant-usage", {**admin, **V240}, limit=2,
                  marker=ids[1], **window).json()
    assert [s["instance_id"] for s in second["tenant_usages"][0]["server_usages"]] == ids[2:]
    assert "tenant_usages_links" not in second
    shown = _get(cloud, f"/v2.1/os-simple-tenant-usage/{cloud.admin_project_id}",
                 {**admin, **V240}, limit=1, **window).json()
    assert len(shown["tenant_usage"]["server_usages"]) == 1
    assert parse_qs(urlparse(shown["tenant_usage_links"][0]["href"]).query)["marker"] == [
        ids[0]]
    # Before 2.40 limit and marker are ignored, and there are no links.
    old = _get(cloud, "/v2.1/os-simple-tenant-usage", admin, limit=1, **window).json()
    assert len(old["tenant_usages"][0]["server_usages"]) == 3
    assert "tenant_usages_links" not in old
    assert _get(cloud, "/v2.1/os-simple-tenant-usage", {**admin, **V240}, marker="nope",
                **window).status_code == 400
    assert _get(cloud, "/v2.1/os-simple-tenant-usage", {**admin, **V240}, limit="x",
                **window).status_code == 400


def test_usage_policy_and_bad_dates(cloud: Cloud) -> None:
    admin = cloud.headers()
    member = cloud.make_user("member")
    reader = cloud.make_user("reader", project=member["project_name"])
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    window = {"start": (now - datetime.timedelta(days=1)).strftime(FMT),
              "end": (now + datetime.timedelta(days=1)).strftime(FMT)}
    assert _get(cloud, "/v2.1/os-simple-tenant-usage", member["headers"],
                detailed="1", **window).status_code == 403
    for who in (member, reader):
        assert _get(cloud, f"/v2.1/os-simple-tenant-usage/{member['project_id']}",
                    who["headers"], **window).status_code == 200
    assert _get(cloud, f"/v2.1/os-simple-tenant-usage/{cloud.admin_project_id}",
                member["headers"], **window).status_code == 403
    path = f"/v2.1/os-simple-tenant-usage/{member['project_id']}"
    for bad in ({"start": "yesterday"}, {"start": "2020-01-01"},
                {"start": "2020-01-01T00:00:00Z"},
                {"start": "2020-01-02 00:00:00", "end": "2020-01-03 00:00:00"},
                {"start": "2020-01-02T00:00:00", "end": "2020-01-01T00:00:00"},
                {"start": "2020-01-01T00:00:00", "end": "2020-01-01T00:00:00"}):
        resp = _get(cloud, path, admin, **bad)
        assert resp.status_code == 400, (bad, resp.text)
    assert "start time cannot occur after the end time" in _get(
        cloud, path, admin, start=window["end"], end=window["start"]).text
    assert "Datetime is in invalid format" in _get(cloud, path, admin, start="x").text
    # The space-separated form Nova accepts (with microseconds).
    assert _get(cloud, path, admin, start="2020-01-01 00:00:00.0",
                end="2020-01-02 00:00:00.5").status_code == 200
    assert _get(cloud, "/v2.1/os-simple-tenant-usage/", admin, **window).status_code == 404


def _managers(cloud: Cloud) -> list[Any]:
    return [s.endpoints[0] for s in cloud.services if s.binary == "stratus-compute"]


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_audit_log_before_and_after_the_hosts_audit(cloud: Cloud,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    admin = cloud.headers()
    begin, end = last_completed_audit_period("month")
    empty = cloud.compute.get("/v2.1/os-instance_usage_audit_log", headers=admin)
    assert empty.status_code == 200, empty.text
    assert empty.json() == {"instance_usage_audit_logs": {
        "period_beginning": str(begin), "period_ending": str(end), "num_hosts": 2,
        "num_hosts_done": 0, "num_hosts_running": 0, "num_hosts_not_run": 2,
        "hosts_not_run": ["testhost", "testhost-2"], "total_instances": 0,
        "total_errors": 0, "overall_status": "0 of 2 hosts done. 0 errors.", "log": {}}}

    sid = _servers(cloud, admin, 1)[0]
    _ran(sid, begin + datetime.timedelta(days=1))          # ran in the last period
    host = cloud.wait_for_server(admin, sid)["OS-EXT-SRV-ATTR:host"]
    managers = _managers(cloud)
    assert [m._instance_usage_audit() for m in managers] == [None, None]  # option off
    monkeypatch.setattr(CONF, "instance_usage_audit", True)  # as the option being on
    records = {m.host: m._instance_usage_audit() for m in managers}
    assert {h: r["task_items"] for h, r in records.items()} == {
        "testhost": int(host == "testhost"), "testhost-2": int(host == "testhost-2")}
    assert [m._instance_usage_audit() for m in managers] == [None, None]  # once a period
    done = cloud.compute.get("/v2.1/os-instance_usage_audit_log",
                             headers=admin).json()["instance_usage_audit_logs"]
    assert (done["num_hosts_done"], done["num_hosts_not_run"], done["hosts_not_run"],
            done["total_instances"], done["overall_status"]) == (
        2, 0, [], 1, "ALL hosts done. 0 errors.")
    assert done["log"][host] == {"state": "DONE", "instances": 1, "errors": 0,
                                 "message": records[host]["message"]}

    # The audit of the period before a time: another period, which no host recorded.
    shown = cloud.compute.get("/v2.1/os-instance_usage_audit_log/"
                              + quote("2020-03-15 10:00:00"), headers=admin)
    assert shown.status_code == 200, shown.text
    log = shown.json()["instance_usage_audit_log"]
    assert (log["period_beginning"], log["period_ending"], log["num_hosts_done"]) == (
        "2020-02-01 00:00:00", "2020-03-01 00:00:00", 0)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    current = cloud.compute.get("/v2.1/os-instance_usage_audit_log/"
                                + quote(now.strftime("%Y-%m-%d %H:%M:%S.%f")),
                                headers=admin).json()["instance_usage_audit_log"]
    assert current == done


def test_audit_log_policy_and_bad_timestamps(cloud: Cloud) -> None:
    admin, member = cloud.headers(), cloud.make_user("member")["headers"]
    for path in ("", "/" + quote("2020-03-15 10:00:00")):
        assert cloud.compute.get("/v2.1/os-instance_usage_audit_log" + path,
                                 headers=member).status_code == 403
    for bad in ("invalid_time", "2020-03-15", "2020-03-15T10:00:00", "2020-13-01 00:00:00"):
        resp = cloud.compute.get(f"/v2.1/os-instance_usage_audit_log/{quote(bad)}",
                                 headers=admin)
        assert resp.status_code == 400, (bad, resp.text)
        assert f"Invalid timestamp for date {bad}" in resp.text


@pytest.mark.parametrize("cloud", [{"config": {None: {"instance_usage_audit": True}}}],
                         indirect=True)
def test_the_audit_runs_as_a_periodic_task_when_enabled(cloud: Cloud) -> None:
    (manager,) = _managers(cloud)
    assert manager._instance_usage_audit in [t for t, _ in manager.periodic._tasks]
