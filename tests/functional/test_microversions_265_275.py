"""Microversions 2.65 to 2.75: changes-before (2.66), evacuate without force (2.68),
server_groups (2.71), locked_reason and the locked filter (2.73), a requested host or
node at create (2.74), and 2.75's cleanups."""
from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.functional.conftest import Cloud
from tests.functional.microversions import at

TWO_HOSTS = [{"fake_hosts": 2}]


def _ids(resp: Any) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [s["id"] for s in resp.json()["servers"]]


def _iso(delta: float) -> str:
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_changes_before_filters_servers_and_actions_from_2_66(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.active_server(admin)
    past, future = _iso(-3600), _iso(3600)
    servers = "/v2.1/servers"
    assert _ids(cloud.compute.get(servers, params={"changes-before": past},
                                  headers=at(admin, 66))) == []
    assert _ids(cloud.compute.get(servers, params={"changes-before": future},
                                  headers=at(admin, 66))) == [sid]
    # Before 2.66 the parameter means nothing.
    assert _ids(cloud.compute.get(servers, params={"changes-before": past},
                                  headers=at(admin, 65))) == [sid]
    crossed = cloud.compute.get(servers, params={"changes-since": future,
                                                 "changes-before": past},
                                headers=at(admin, 66))
    assert crossed.status_code == 400
    assert "changes-since must be less than or equal to changes-before" in crossed.text
    actions = f"/v2.1/servers/{sid}/os-instance-actions"
    old = cloud.compute.get(actions, params={"changes-before": past}, headers=at(admin, 65))
    assert old.status_code == 400
    for when, count in ((past, 0), (future, 1)):
        listed = cloud.compute.get(actions, params={"changes-before": when},
                                   headers=at(admin, 66))
        assert len(listed.json()["instanceActions"]) == count, listed.text
    migrations = cloud.compute.get("/v2.1/os-migrations", params={
        "changes-before": "not-a-time"}, headers=at(admin, 66))
    assert migrations.status_code == 400


def test_evacuate_takes_no_force_from_2_68(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.active_server(admin)
    url = f"/v2.1/servers/{sid}/action"
    body = {"evacuate": {"force": True}}
    # 2.67 takes the body (then refuses: the host is up); 2.68 refuses the body itself.
    assert cloud.compute.post(url, headers=at(admin, 67), json=body).status_code == 409
    assert cloud.compute.post(url, headers=at(admin, 68), json=body).status_code == 400


def test_server_groups_in_show_update_and_rebuild_from_2_71(cloud: Cloud) -> None:
    admin = cloud.headers()
    group = cloud.compute.post("/v2.1/os-server-groups", headers=admin, json={
        "server_group": {"name": "g", "policies": ["affinity"]}}).json()["server_group"]
    image = cloud.create_image(admin)
    resp = cloud.compute.post("/v2.1/servers", headers=at(admin, 71), json={
        "server": {"name": "grouped", "imageRef": image["id"], "flavorRef": "1",
                   "networks": "none"}, "os:scheduler_hints": {"group": group["id"]}})
    assert resp.status_code == 202, resp.text
    grouped = resp.json()["server"]["id"]
    cloud.wait_for_server(admin, grouped)
    alone = cloud.active_server(admin)
    url = f"/v2.1/servers/{grouped}"
    assert cloud.compute.get(url, headers=at(admin, 71)).json()["server"][
        "server_groups"] == [group["id"]]
    assert "server_groups" not in cloud.compute.get(url, headers=at(admin, 70)).json()["server"]
    assert cloud.compute.get(f"/v2.1/servers/{alone}", headers=at(admin, 71)).json()[
        "server"]["server_groups"] == []
    updated = cloud.compute.put(url, headers=at(admin, 71), json={"server": {"name": "g2"}})
    assert updated.json()["server"]["server_groups"] == [group["id"]]
    rebuilt = cloud.compute.post(f"{url}/action", headers=at(admin, 71),
                                 json={"rebuild": {"imageRef": image["id"]}})
    assert rebuilt.status_code == 202 and rebuilt.json()["server"]["server_groups"] == [
        group["id"]]
    listed = cloud.compute.get("/v2.1/servers/detail", headers=at(admin, 71)).json()
    assert all("server_groups" not in s for s in listed["servers"])


def test_locked_reason_and_the_locked_filter_from_2_73(cloud: Cloud) -> None:
    admin = cloud.headers()
    locked, free = cloud.active_server(admin), cloud.active_server(admin)
    assert cloud.compute.post(f"/v2.1/servers/{locked}/action", headers=at(admin, 73),
                              json={"lock": {"locked_reason": "maintenance"}}
                              ).status_code == 202
    shown = cloud.compute.get(f"/v2.1/servers/{locked}", headers=at(admin, 73)).json()["server"]
    assert (shown["locked"], shown["locked_reason"]) == (True, "maintenance")
    assert cloud.compute.get(f"/v2.1/servers/{free}", headers=at(admin, 73)).json()[
        "server"]["locked_reason"] is None
    assert "locked_reason" not in cloud.compute.get(f"/v2.1/servers/{locked}",
                                                    headers=at(admin, 72)).json()["server"]
    detail = cloud.compute.get("/v2.1/servers/detail", headers=at(admin, 73)).json()
    assert {s["id"]: s["locked_reason"] for s in detail["servers"]} == {
        locked: "maintenance", free: None}
    for value, expected in (("true", [locked]), ("False", [free])):
        assert _ids(cloud.compute.get("/v2.1/servers", params={"locked": value},
                                      headers=at(admin, 73))) == expected
    assert cloud.compute.get("/v2.1/servers", params={"locked": "maybe"},
                             headers=at(admin, 73)).status_code == 400
    ordered = _ids(cloud.compute.get("/v2.1/servers", params={
        "sort_key": "locked", "sort_dir": "asc"}, headers=at(admin, 73)))
    assert ordered == [free, locked]


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_a_requested_host_or_node_at_create_from_2_74(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, visibility="public")

    def create(headers: dict[str, str], minor: int = 74, **extra: Any) -> Any:
        return cloud.compute.post("/v2.1/servers", headers=at(headers, minor), json={
            "server": {"name": "placed", "imageRef": image["id"], "flavorRef": "1",
                       "networks": "none", **extra}})

    for target in ("testhost", "testhost-2"):
        resp = create(admin, host=target)
        assert resp.status_code == 202, resp.text
        sid = resp.json()["server"]["id"]
        cloud.wait_for_server(admin, sid)
        shown = cloud.compute.get(f"/v2.1/servers/{sid}", headers=admin).json()["server"]
        assert shown["OS-EXT-SRV-ATTR:host"] == target
    by_node = create(admin, hypervisor_hostname="testhost-2")
    cloud.wait_for_server(admin, by_node.json()["server"]["id"])
    assert cloud.compute.get(f"/v2.1/servers/{by_node.json()['server']['id']}",
                             headers=admin).json()["server"][
        "OS-EXT-SRV-ATTR:hypervisor_hostname"] == "testhost-2"
    unknown = create(admin, host="nosuchhost")
    assert unknown.status_code == 400
    assert unknown.json()["badRequest"]["message"] == (
        "Compute host nosuchhost could not be found.")
    both = create(admin, host="testhost", availability_zone="nova:testhost-2")
    assert both.status_code == 400 and "mutually exclusive" in both.text
    assert create(admin, minor=73, host="testhost").status_code == 400
    member = cloud.make_user("member")["headers"]
    assert create(member, host="testhost").status_code == 403
    # Unlike a forced host, a requested one must pass the filters: a disabled host fails.
    disabled = cloud.compute.put("/v2.1/os-services/disable", headers=admin, json={
        "host": "testhost-2", "binary": "nova-compute"})
    assert disabled.status_code == 200, disabled.text
    refused = create(admin, host="testhost-2").json()["server"]["id"]
    failed = cloud.wait_for_server(admin, refused)
    assert failed["status"] == "ERROR"
    assert "No valid host" in failed["fault"]["message"]


def test_2_75_cleanups(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.active_server(admin, user_data="aGk=")
    servers = "/v2.1/servers"
    assert cloud.compute.get(servers, params={"bogus": "1"}, headers=at(admin, 74)
                             ).status_code == 200
    unknown = cloud.compute.get(servers, params={"bogus": "1"}, headers=at(admin, 75))
    assert unknown.status_code == 400 and "bogus" in unknown.text
    assert cloud.compute.get(servers, params={"sort_key": "vcpus"}, headers=at(admin, 74)
                             ).status_code == 200
    assert cloud.compute.get(servers, params={"sort_key": "vcpus"}, headers=at(admin, 75)
                             ).status_code == 400
    # PUT and rebuild answer with the whole server, as GET does.
    url = f"/v2.1/servers/{sid}"
    old = cloud.compute.put(url, headers=at(admin, 74), json={"server": {"name": "a"}})
    new = cloud.compute.put(url, headers=at(admin, 75), json={"server": {"name": "b"}})
    assert "OS-EXT-STS:vm_state" not in old.json()["server"]
    shown = cloud.compute.get(url, headers=at(admin, 75)).json()["server"]
    assert set(new.json()["server"]) == set(shown)
    image_id = shown["image"]["id"]
    rebuilt = cloud.compute.post(f"{url}/action", headers=at(admin, 75),
                                 json={"rebuild": {"imageRef": image_id}}).json()["server"]
    assert rebuilt["user_data"] == "aGk=" and "OS-EXT-SRV-ATTR:user_data" not in rebuilt
    assert "OS-EXT-STS:vm_state" in rebuilt and "adminPass" in rebuilt
    cloud.wait_for_server(admin, sid)
    # A flavor without swap says 0, no longer "".
    assert cloud.compute.get("/v2.1/flavors/1", headers=at(admin, 74)).json()["flavor"][
        "swap"] == ""
    assert cloud.compute.get("/v2.1/flavors/1", headers=at(admin, 75)).json()["flavor"][
        "swap"] == 0
    # with_servers on a hypervisor without servers: an empty list from 2.75.
    cloud.compute.delete(url, headers=admin)
    cloud.wait_until_gone(admin, sid)
    for minor, expected in ((74, None), (75, [])):
        listed = cloud.compute.get("/v2.1/os-hypervisors", params={"with_servers": "true"},
                                   headers=at(admin, minor)).json()["hypervisors"]
        assert listed[0].get("servers") == expected, minor
    # 2.65: no live migration to abort.
    assert cloud.compute.delete(f"/v2.1/servers/{cloud.active_server(admin)}/migrations/1",
                                headers=at(admin, 65)).status_code == 404
