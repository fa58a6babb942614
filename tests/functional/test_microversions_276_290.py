"""Microversions 2.76 to 2.90 (2.86's extra spec validation has its own file): the
power-update event (2.76), unshelve into a zone (2.77), topology (2.78), image caching
by aggregate (2.81), more filters for everyone (2.83), event details (2.84), the leaner
hypervisor views (2.88) and user-chosen hostnames (2.90)."""
from __future__ import annotations

import time
from typing import Any

import pytest

from tests.functional.conftest import Cloud
from tests.functional.microversions import at

TWO_HOSTS = [{"fake_hosts": 2}]


def _actions(cloud: Cloud, sid: str) -> list[str]:
    listed = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions",
                               headers=cloud.headers()).json()
    return [a["action"] for a in listed["instanceActions"]]


def test_power_update_events_stop_and_start_the_server_from_2_76(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.active_server(admin)
    url = "/v2.1/os-server-external-events"

    def send(tag: str | None, minor: int = 76) -> Any:
        event: dict[str, Any] = {"name": "power-update", "server_uuid": sid}
        if tag is not None:
            event["tag"] = tag
        return cloud.compute.post(url, headers=at(admin, minor), json={"events": [event]})

    assert send("POWER_OFF", minor=75).status_code == 400
    untagged = send(None)
    assert untagged.status_code == 207 and untagged.json()["events"][0]["code"] == 400
    assert send("POWER_OFF").json()["events"][0]["code"] == 200
    assert cloud.wait_for_server(admin, sid, until=("SHUTOFF",))["status"] == "SHUTOFF"
    assert _actions(cloud, sid)[0] == "stop"
    # Already off: accepted, nothing changes.
    assert send("POWER_OFF").status_code == 200
    assert _actions(cloud, sid)[0] == "stop"
    send("POWER_ON")
    assert cloud.wait_for_server(admin, sid, until=("ACTIVE",))["status"] == "ACTIVE"
    assert _actions(cloud, sid)[:2] == ["start", "stop"]


def test_unshelve_into_a_zone_from_2_77(cloud: Cloud) -> None:
    admin = cloud.headers()
    aggregate = cloud.compute.post("/v2.1/os-aggregates", headers=admin, json={
        "aggregate": {"name": "west", "availability_zone": "west"}}).json()["aggregate"]
    cloud.compute.post(f"/v2.1/os-aggregates/{aggregate['id']}/action", headers=admin,
                       json={"add_host": {"host": "testhost"}})
    sid = cloud.active_server(admin, availability_zone="west")
    url = f"/v2.1/servers/{sid}/action"
    assert cloud.compute.post(url, headers=admin, json={"shelve": None}).status_code == 202
    cloud.wait_for_server(admin, sid, until=("SHELVED_OFFLOADED",))
    body = {"unshelve": {"availability_zone": "nowhere"}}
    assert cloud.compute.post(url, headers=at(admin, 76), json=body).status_code == 400
    unknown = cloud.compute.post(url, headers=at(admin, 77), json=body)
    assert unknown.status_code == 400 and "nowhere" in unknown.text
    ok = cloud.compute.post(url, headers=at(admin, 77),
                            json={"unshelve": {"availability_zone": "west"}})
    assert ok.status_code == 202, ok.text
    shown = cloud.wait_for_server(admin, sid, until=("ACTIVE",))
    assert shown["OS-EXT-AZ:availability_zone"] == "west"


@pytest.mark.parametrize("cloud", [{"config": {None: {"shelved_offload_time": -1}}}],
                         indirect=True)
def test_a_shelved_server_on_its_host_cannot_change_zone(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.active_server(admin)
    url = f"/v2.1/servers/{sid}/action"
    assert cloud.compute.post(url, headers=admin, json={"shelve": None}).status_code == 202
    cloud.wait_for_server(admin, sid, until=("SHELVED",))
    refused = cloud.compute.post(url, headers=at(admin, 77),
                                 json={"unshelve": {"availability_zone": "nova"}})
    assert refused.status_code == 409 and "SHELVED_OFFLOADED" in refused.text
    assert cloud.compute.post(url, headers=at(admin, 77),
                              json={"unshelve": None}).status_code == 202
    assert cloud.wait_for_server(admin, sid, until=("ACTIVE",))["status"] == "ACTIVE"


def test_topology_from_2_78(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    sid = cloud.active_server(member["headers"])
    url = f"/v2.1/servers/{sid}/topology"
    assert cloud.compute.get(url, headers=at(member["headers"], 77)).status_code == 404
    resp = cloud.compute.get(url, headers=at(member["headers"], 78))
    assert resp.status_code == 200 and resp.json() == {"nodes": [], "pagesize_kb": None}
    stranger = cloud.make_user("member")["headers"]
    assert cloud.compute.get(url, headers=at(stranger, 78)).status_code == 404


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_an_aggregate_caches_images_on_its_hosts_from_2_81(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, visibility="public")
    aggregate = cloud.compute.post("/v2.1/os-aggregates", headers=admin, json={
        "aggregate": {"name": "cachers"}}).json()["aggregate"]
    cloud.compute.post(f"/v2.1/os-aggregates/{aggregate['id']}/action", headers=admin,
                       json={"add_host": {"host": "testhost-2"}})
    url = f"/v2.1/os-aggregates/{aggregate['id']}/images"
    body = {"cache": [{"id": image["id"]}]}
    assert cloud.compute.post(url, headers=at(admin, 80), json=body).status_code == 404
    for bad in ({"cache": []}, {"cache": [{"id": image["id"]}, {"id": image["id"]}]},
                {"cache": [{"id": "6f0e5d7a-0000-4000-8000-000000000000"}]}):
        assert cloud.compute.post(url, headers=at(admin, 81), json=bad).status_code == 400
    member = cloud.make_user("member")["headers"]
    assert cloud.compute.post(url, headers=at(member, 81), json=body).status_code == 403
    assert cloud.compute.post("/v2.1/os-aggregates/9999/images", headers=at(admin, 81),
                              json=body).status_code == 404
    assert cloud.compute.post(url, headers=at(admin, 81), json=body).status_code == 202
    drivers = {s.host: s.endpoints[0].driver for s in cloud.services
               if s.binary == "stratus-compute"}
    deadline = time.monotonic() + 5
    while image["id"] not in drivers["testhost-2"].cached_images:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert image["id"] not in drivers["testhost"].cached_images


def test_more_filters_for_everyone_from_2_83(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    running, stopped = cloud.active_server(h), cloud.active_server(h)
    cloud.compute.post(f"/v2.1/servers/{stopped}/action", headers=h, json={"os-stop": None})
    cloud.wait_for_server(h, stopped, until=("SHUTOFF",))

    def ids(minor: int, **params: str) -> list[str]:
        resp = cloud.compute.get("/v2.1/servers", params=params, headers=at(h, minor))
        assert resp.status_code == 200, resp.text
        return [s["id"] for s in resp.json()["servers"]]

    # Before 2.83 these filters are admin-only and ignored for a member.
    assert sorted(ids(82, vm_state="stopped")) == sorted([running, stopped])
    assert ids(83, vm_state="stopped") == [stopped]
    assert ids(83, power_state="1") == [running]
    assert ids(83, vm_state="active", status="SHUTOFF") == []
    assert sorted(ids(83, user_id=member["user_id"])) == sorted([running, stopped])
    assert cloud.compute.get("/v2.1/servers", params={"power_state": "on"},
                             headers=at(h, 83)).status_code == 400


def test_failed_events_carry_details_from_2_84(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.active_server(admin)
    # A resize that no host takes (one host here) fails with a recorded event.
    refused = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=admin,
                                 json={"resize": {"flavorRef": "2"}})
    assert refused.status_code == 400
    actions = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions",
                                headers=admin).json()["instanceActions"]
    request_id = actions[0]["request_id"]
    url = f"/v2.1/servers/{sid}/os-instance-actions/{request_id}"
    new = cloud.compute.get(url, headers=at(admin, 84)).json()["instanceAction"]["events"]
    assert new[0]["result"] == "Error" and "No valid host" in new[0]["details"]
    old = cloud.compute.get(url, headers=at(admin, 83)).json()["instanceAction"]["events"]
    assert "details" not in old[0]


def test_hypervisor_views_lose_the_figures_and_gain_uptime_at_2_88(cloud: Cloud) -> None:
    admin = cloud.headers()
    old = cloud.compute.get("/v2.1/os-hypervisors/detail", headers=at(admin, 87)).json()
    new = cloud.compute.get("/v2.1/os-hypervisors/detail", headers=at(admin, 88)).json()
    assert "memory_mb" in old["hypervisors"][0] and "uptime" not in old["hypervisors"][0]
    node = new["hypervisors"][0]
    assert " up " in node["uptime"] and "load average" in node["uptime"]
    assert not {"memory_mb", "vcpus", "cpu_info", "running_vms", "free_disk_gb",
                "current_workload"} & set(node)
    shown = cloud.compute.get(f"/v2.1/os-hypervisors/{node['id']}", headers=at(admin, 88))
    assert "uptime" in shown.json()["hypervisor"]
    for path in ("/v2.1/os-hypervisors/statistics",
                 f"/v2.1/os-hypervisors/{node['id']}/uptime"):
        assert cloud.compute.get(path, headers=at(admin, 87)).status_code == 200
        assert cloud.compute.get(path, headers=at(admin, 88)).status_code == 404


def test_users_choose_and_see_hostnames_from_2_90(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    image = cloud.create_image(cloud.headers(), visibility="public")

    def create(minor: int, **server: Any) -> Any:
        return cloud.compute.post("/v2.1/servers", headers=at(h, minor), json={"server": {
            "name": "Web Server", "imageRef": image["id"], "flavorRef": "1",
            "networks": "none", **server}})

    assert create(89, hostname="web-1").status_code == 400
    assert create(90, hostname="bad_name!").status_code == 400
    many = create(90, hostname="web-1", min_count=2)
    assert many.status_code == 400
    assert many.json()["badRequest"]["message"] == (
        "Unable to allocate a single hostname to multiple instances")
    resp = create(90, hostname="web-1")
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    cloud.wait_for_server(h, sid)
    url = f"/v2.1/servers/{sid}"
    shown = cloud.compute.get(url, headers=at(h, 90)).json()["server"]
    assert shown["OS-EXT-SRV-ATTR:hostname"] == "web-1"
    assert "OS-EXT-SRV-ATTR:hostname" not in cloud.compute.get(
        url, headers=at(h, 89)).json()["server"]
    updated = cloud.compute.put(url, headers=at(h, 90), json={"server": {"hostname": "web-2"}})
    assert updated.json()["server"]["OS-EXT-SRV-ATTR:hostname"] == "web-2"
    rebuilt = cloud.compute.post(f"{url}/action", headers=at(h, 90), json={
        "rebuild": {"imageRef": image["id"], "hostname": "web-3"}})
    assert rebuilt.status_code == 202, rebuilt.text
    assert rebuilt.json()["server"]["OS-EXT-SRV-ATTR:hostname"] == "web-3"
    # Without a hostname one is made from the name, as before.
    plain = create(90).json()["server"]["id"]
    cloud.wait_for_server(h, plain)
    assert cloud.compute.get(f"/v2.1/servers/{plain}", headers=at(h, 90)).json()["server"][
        "OS-EXT-SRV-ATTR:hostname"] == "web-server"
