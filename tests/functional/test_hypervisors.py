"""/os-hypervisors and /os-availability-zone show the hosts as they are."""
from __future__ import annotations

import re

import pytest

from tests.functional.conftest import Cloud
from tests.functional.microversions import at

# What `openstack hypervisor show` parses out of the uptime (python-openstackclient).
UPTIME = re.compile(r"\s*(.+)\sup\s+(.+),\s+(.+)\susers?,\s+load average:\s(.+)")


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_hypervisors_show_real_usage(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.boot(admin, cloud.create_image(admin)["id"], flavor="2")["id"]
    host = cloud.wait_for_server(admin, sid)["OS-EXT-SRV-ATTR:host"]
    listed = cloud.compute.get("/v2.1/os-hypervisors", headers=admin).json()["hypervisors"]
    assert sorted(h["hypervisor_hostname"] for h in listed) == ["testhost", "testhost-2"]
    assert {(h["state"], h["status"]) for h in listed} == {("up", "enabled")}
    detail = {h["hypervisor_hostname"]: h for h in cloud.compute.get(
        "/v2.1/os-hypervisors/detail", headers=admin).json()["hypervisors"]}
    used = detail[host]
    assert (used["memory_mb_used"], used["vcpus_used"], used["local_gb_used"],
            used["running_vms"]) == (2048, 1, 20, 1)
    assert used["free_ram_mb"] == used["memory_mb"] - 2048
    assert used["service"]["host"] == host and used["cpu_info"] == "{}"
    shown = cloud.compute.get(f"/v2.1/os-hypervisors/{used['id']}", headers={
        **admin, "OpenStack-API-Version": "compute 2.28"}).json()["hypervisor"]
    assert shown["cpu_info"] == {} and shown["running_vms"] == 1
    stats = cloud.compute.get("/v2.1/os-hypervisors/statistics",
                              headers=admin).json()["hypervisor_statistics"]
    assert stats["count"] == 2 and stats["running_vms"] == 1
    assert stats["memory_mb"] == 2 * used["memory_mb"] and stats["memory_mb_used"] == 2048
    found = cloud.compute.get(f"/v2.1/os-hypervisors/{host}/servers",
                              headers=admin).json()["hypervisors"]
    assert [s["uuid"] for h in found for s in h.get("servers", [])] == [sid]
    search = cloud.compute.get("/v2.1/os-hypervisors/host-2/search", headers=admin).json()
    assert [h["hypervisor_hostname"] for h in search["hypervisors"]] == ["testhost-2"]
    assert cloud.compute.get("/v2.1/os-hypervisors/nomatch/search",
                             headers=admin).status_code == 404
    assert cloud.compute.get("/v2.1/os-hypervisors/999", headers=admin).status_code == 404
    member = cloud.make_user("member")
    assert cloud.compute.get("/v2.1/os-hypervisors",
                             headers=member["headers"]).status_code == 403


def test_availability_zones(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    zones = cloud.compute.get("/v2.1/os-availability-zone", headers=member["headers"]).json()
    assert zones == {"availabilityZoneInfo": [
        {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]}
    detail = cloud.compute.get("/v2.1/os-availability-zone/detail",
                               headers=cloud.headers()).json()["availabilityZoneInfo"]
    by_zone = {z["zoneName"]: z for z in detail}
    assert set(by_zone) == {"internal", "nova"}
    assert by_zone["nova"]["hosts"]["testhost"]["nova-compute"]["available"] is True
    assert set(by_zone["internal"]["hosts"]["testhost"]) == {"nova-conductor",
                                                            "nova-scheduler", "nova-network"}
    assert cloud.compute.get("/v2.1/os-availability-zone/detail",
                             headers=member["headers"]).status_code == 403


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_hypervisor_uptime(cloud: Cloud) -> None:
    admin = cloud.headers()
    nodes = {h["hypervisor_hostname"]: h for h in cloud.compute.get(
        "/v2.1/os-hypervisors", headers=admin).json()["hypervisors"]}
    resp = cloud.compute.get(f"/v2.1/os-hypervisors/{nodes['testhost']['id']}/uptime",
                             headers=admin)
    assert resp.status_code == 200, resp.text
    shown = resp.json()["hypervisor"]
    assert {k: shown[k] for k in ("id", "hypervisor_hostname", "state", "status")} == \
        nodes["testhost"] and set(shown) == {"id", "hypervisor_hostname", "state", "status",
                                             "uptime"}
    # the fake host came up with its agent, moments ago
    found = UPTIME.fullmatch(shown["uptime"])
    assert found and found.group(2) == "0 min" and found.group(3) == "0", shown["uptime"]
    assert found.group(4) == "0.00, 0.00, 0.00"
    # a host whose compute service is down cannot be asked: 400, as Nova answers
    resp = cloud.compute.put("/v2.1/os-services/force-down", headers=at(admin, 11), json={
        "host": "testhost-2", "binary": "stratus-compute", "forced_down": True})
    assert resp.status_code == 200, resp.text
    resp = cloud.compute.get(f"/v2.1/os-hypervisors/{nodes['testhost-2']['id']}/uptime",
                             headers=admin)
    assert resp.status_code == 400
    assert resp.json() == {"badRequest": {
        "code": 400, "message": "Compute service of testhost-2 is unavailable at this time."}}
    member = cloud.make_user("member")["headers"]
    assert cloud.compute.get(f"/v2.1/os-hypervisors/{nodes['testhost']['id']}/uptime",
                             headers=member).status_code == 403
