"""/os-hosts (2.1 to 2.42): the hosts of the services, a compute host's resource use,
enabling and disabling it, and the power actions no driver has."""
from __future__ import annotations

from typing import Any

import pytest

from tests.functional.conftest import Cloud
from tests.functional.microversions import at


def _hosts(cloud: Cloud, query: str = "") -> list[dict[str, Any]]:
    resp = cloud.compute.get("/v2.1/os-hosts" + query, headers=cloud.headers())
    assert resp.status_code == 200, resp.text
    return resp.json()["hosts"]


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_list_hosts_by_service_and_zone(cloud: Cloud) -> None:
    admin = cloud.headers()
    assert sorted((h["host_name"], h["service"], h["zone"]) for h in _hosts(cloud)) == [
        ("testhost", "compute", "nova"), ("testhost", "conductor", "internal"),
        ("testhost", "network", "internal"), ("testhost", "scheduler", "internal"),
        ("testhost-2", "compute", "nova"), ("testhost-2", "network", "internal")]
    agg = cloud.compute.post("/v2.1/os-aggregates", headers=admin, json={
        "aggregate": {"name": "a1", "availability_zone": "az1"}}).json()["aggregate"]
    cloud.compute.post(f"/v2.1/os-aggregates/{agg['id']}/action", headers=admin,
                       json={"add_host": {"host": "testhost-2"}})
    for query, expected in [("?zone=az1", [("testhost-2", "compute")]),
                            ("?zone=nova", [("testhost", "compute")]),
                            ("?zone=internal", [("testhost", "conductor"),
                                                ("testhost", "network"),
                                                ("testhost", "scheduler"),
                                                ("testhost-2", "network")]),
                            ("?zone=xxx", []), ("?zone=", None), ("?other=1", None)]:
        listed = sorted((h["host_name"], h["service"]) for h in _hosts(cloud, query))
        assert listed == (expected if expected is not None else sorted(
            (h["host_name"], h["service"]) for h in _hosts(cloud))), query
    # a disabled service is not listed (as in Nova); the host's network agent still is
    resp = cloud.compute.put("/v2.1/os-hosts/testhost-2", headers=admin,
                             json={"status": "disable"})
    assert resp.json() == {"host": "testhost-2", "status": "disabled"}
    assert {s for h, s in ((h["host_name"], h["service"]) for h in _hosts(cloud))
            if h == "testhost-2"} == {"network"}


def test_show_host_resources(cloud: Cloud) -> None:
    admin, member = cloud.headers(), cloud.make_user("member")
    image = cloud.create_image(admin, visibility="public")["id"]
    servers = [cloud.boot(admin, image, flavor="2")["id"],
               cloud.boot(member["headers"], image, flavor="1")["id"]]
    for sid, headers in zip(servers, (admin, member["headers"])):
        assert cloud.wait_for_server(headers, sid)["status"] == "ACTIVE"
    resp = cloud.compute.get("/v2.1/os-hosts/testhost", headers=admin)
    assert resp.status_code == 200, resp.text
    rows = {r["resource"]["project"]: r["resource"] for r in resp.json()["host"]}
    assert list(rows)[:3] == ["(total)", "(used_now)", "(used_max)"]
    assert set(rows) == {"(total)", "(used_now)", "(used_max)", cloud.admin_project_id,
                         member["project_id"]}
    assert all(r["host"] == "testhost" and set(r) == {"host", "project", "cpu", "memory_mb",
                                                      "disk_gb"} for r in rows.values())
    total = rows["(total)"]
    assert (total["cpu"], total["memory_mb"], total["disk_gb"]) == (32, 131072, 2048)
    # m1.small (1 vCPU, 2048 MB, 20 GB) and m1.tiny (1 vCPU, 512 MB, 1 GB)
    for project, expected in [("(used_now)", (2, 2560, 21)), ("(used_max)", (2, 2560, 21)),
                              (cloud.admin_project_id, (1, 2048, 20)),
                              (member["project_id"], (1, 512, 1))]:
        row = rows[project]
        assert (row["cpu"], row["memory_mb"], row["disk_gb"]) == expected, project
    resp = cloud.compute.get("/v2.1/os-hosts/nonexistent", headers=admin)
    assert resp.status_code == 404
    assert resp.json()["itemNotFound"]["message"] == \
        "Compute host nonexistent could not be found."


def test_update_host(cloud: Cloud) -> None:
    admin = cloud.headers()

    def compute_status() -> str:
        listed = cloud.compute.get("/v2.1/os-services?binary=stratus-compute",
                                   headers=admin).json()["services"]
        return listed[0]["status"]
    # body, then the status code and the answer, or the words of the error
    table: list[tuple[str, Any, int, Any]] = [
        ("testhost", {"status": "disable"}, 200, {"host": "testhost", "status": "disabled"}),
        ("testhost", {"status": "Enable"}, 200, {"host": "testhost", "status": "enabled"}),
        ("testhost", {"status": "DISABLE"}, 200, {"host": "testhost", "status": "disabled"}),
        ("testhost", {"status": "enable"}, 200, {"host": "testhost", "status": "enabled"}),
        ("testhost", {"status": "invalid"}, 400, "Invalid input"),
        ("testhost", {"status": "enable", "maintenance_mode": "invalid"}, 400,
         "Invalid input"),
        ("testhost", {"status": None, "maintenance_mode": None}, 400, "Invalid input"),
        ("testhost", {}, 400, "Invalid input"),
        ("testhost", {"status": "enable", "host": "x"}, 400, "Additional properties"),
        ("testhost", {"status": "disable", "maintenance_mode": "enable"}, 501,
         "maintenance mode"),
        ("testhost", {"maintenance_mode": "disable"}, 501, "maintenance mode"),
        ("nonexistent", {"status": "enable", "maintenance_mode": "enable"}, 404,
         "Compute host nonexistent could not be found."),
    ]
    for host, body, code, expected in table:
        resp = cloud.compute.put(f"/v2.1/os-hosts/{host}", headers=admin, json=body)
        assert resp.status_code == code, (body, resp.text)
        if code == 200:
            assert resp.json() == expected
            assert compute_status() == expected["status"]
        else:
            assert expected in next(iter(resp.json().values()))["message"], (body, resp.text)
    # a 501 changes nothing: the host stays enabled
    assert compute_status() == "enabled"


def test_power_actions_are_not_supported(cloud: Cloud) -> None:
    admin = cloud.headers()
    for action in ("startup", "shutdown", "reboot"):
        resp = cloud.compute.get(f"/v2.1/os-hosts/testhost/{action}", headers=admin)
        assert resp.status_code == 501, resp.text
        message = resp.json()["notImplemented"]["message"]
        assert message.startswith("The requested functionality is not supported.")
        assert "testhost" in message
        assert cloud.compute.get(f"/v2.1/os-hosts/nonexistent/{action}",
                                 headers=admin).status_code == 404


def test_hosts_are_for_admins_and_gone_from_2_43(cloud: Cloud) -> None:
    admin, member = cloud.headers(), cloud.make_user("member")["headers"]
    calls = [("GET", "/v2.1/os-hosts", None), ("GET", "/v2.1/os-hosts/testhost", None),
             ("PUT", "/v2.1/os-hosts/testhost", {"status": "enable"}),
             *[("GET", f"/v2.1/os-hosts/testhost/{a}", None)
               for a in ("startup", "shutdown", "reboot")]]
    for method, url, body in calls:
        for headers, minor, code in [(member, 1, 403), (member, 42, 403), (admin, 43, 404),
                                     (member, 43, 404), (admin, 64, 404)]:
            resp = cloud.compute.request(method, url, headers=at(headers, minor), json=body)
            assert resp.status_code == code, (method, url, minor, resp.text)
    assert cloud.compute.get("/v2.1/os-hosts", headers=at(admin, 42)).status_code == 200
    # validation comes before the policy check, as in Nova
    assert cloud.compute.put("/v2.1/os-hosts/testhost", headers=member,
                             json={"status": "off"}).status_code == 400
