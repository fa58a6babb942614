"""Microversions 2.91 to 2.96: unshelve to a host or out of any zone (2.91), key pairs
imported only (2.92), FQDN hostnames (2.94), evacuated servers left stopped (2.95), the
pinned availability zone shown (2.96); and 2.75's refusal of unknown query parameters
on the other lists and shows."""
from __future__ import annotations

from typing import Any

import pytest

from tests.functional.conftest import Cloud
from tests.functional.microversions import at

TWO_HOSTS = [{"fake_hosts": 2}]


def _offloaded(cloud: Cloud, headers: dict[str, str], **server: Any) -> str:
    sid = cloud.active_server(headers, **server)
    assert cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=headers,
                              json={"shelve": None}).status_code == 202
    cloud.wait_for_server(headers, sid, until=("SHELVED_OFFLOADED",))
    return sid


def _zone(cloud: Cloud, name: str, host: str) -> None:
    admin = cloud.headers()
    aggregate = cloud.compute.post("/v2.1/os-aggregates", headers=admin, json={
        "aggregate": {"name": name, "availability_zone": name}}).json()["aggregate"]
    cloud.compute.post(f"/v2.1/os-aggregates/{aggregate['id']}/action", headers=admin,
                       json={"add_host": {"host": host}})


def _show(cloud: Cloud, sid: str, minor: int = 96) -> dict[str, Any]:
    return dict(cloud.compute.get(f"/v2.1/servers/{sid}",
                                  headers=at(cloud.headers(), minor)).json()["server"])


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_unshelve_to_a_host_and_unpinning_from_2_91(cloud: Cloud) -> None:
    admin = cloud.headers()
    _zone(cloud, "west", "testhost")
    sid = _offloaded(cloud, admin, availability_zone="west")
    assert _show(cloud, sid)["pinned_availability_zone"] == "west"
    url = f"/v2.1/servers/{sid}/action"

    def unshelve(body: Any, headers: dict[str, str] = admin, minor: int = 91) -> Any:
        return cloud.compute.post(url, headers=at(headers, minor), json={"unshelve": body})

    assert unshelve({"host": "testhost-2"}, minor=90).status_code == 400
    # Naming the host is for admins: the owner of a server may not.
    member = cloud.make_user("member")["headers"]
    own = _offloaded(cloud, member)
    refused = cloud.compute.post(f"/v2.1/servers/{own}/action", headers=at(member, 91),
                                 json={"unshelve": {"host": "testhost"}})
    assert refused.status_code == 403
    assert unshelve({"host": "nosuchhost"}).status_code == 400
    # testhost-2 is not in the zone the server is pinned to.
    outside = unshelve({"host": "testhost-2"})
    assert outside.status_code == 409 and "west" in outside.text
    # Unpinned, it may go anywhere: to testhost-2 here.
    assert unshelve({"host": "testhost-2", "availability_zone": None}).status_code == 202
    shown = cloud.wait_for_server(admin, sid, until=("ACTIVE",))
    assert shown["OS-EXT-SRV-ATTR:host"] == "testhost-2"
    assert _show(cloud, sid)["pinned_availability_zone"] is None
    # A server still on its host takes neither.
    assert unshelve({"host": "testhost"}).status_code == 409


def test_key_pairs_are_imported_only_from_2_92(cloud: Cloud) -> None:
    admin = cloud.headers()
    url = "/v2.1/os-keypairs"
    generated = cloud.compute.post(url, headers=at(admin, 91), json={"keypair": {
        "name": "made"}})
    assert generated.status_code == 201 and "private_key" in generated.json()["keypair"]
    assert cloud.compute.post(url, headers=at(admin, 92), json={"keypair": {
        "name": "made-2"}}).status_code == 400
    public_key = generated.json()["keypair"]["public_key"]
    assert cloud.compute.post(url, headers=at(admin, 91), json={"keypair": {
        "name": "me@example.com", "public_key": public_key}}).status_code == 400
    imported = cloud.compute.post(url, headers=at(admin, 92), json={"keypair": {
        "name": "me@example.com", "public_key": public_key}})
    assert imported.status_code == 201, imported.text
    assert "private_key" not in imported.json()["keypair"]


def test_fqdn_hostnames_from_2_94(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    body = {"server": {"name": "db", "imageRef": image["id"], "flavorRef": "1",
                       "networks": "none", "hostname": "db1.example.org"}}
    assert cloud.compute.post("/v2.1/servers", headers=at(admin, 93),
                              json=body).status_code == 400
    resp = cloud.compute.post("/v2.1/servers", headers=at(admin, 94), json=body)
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    cloud.wait_for_server(admin, sid)
    assert _show(cloud, sid, 94)["OS-EXT-SRV-ATTR:hostname"] == "db1.example.org"
    updated = cloud.compute.put(f"/v2.1/servers/{sid}", headers=at(admin, 94),
                                json={"server": {"hostname": "db2.example.org"}})
    assert updated.json()["server"]["OS-EXT-SRV-ATTR:hostname"] == "db2.example.org"


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_evacuated_servers_are_left_stopped_from_2_95(cloud: Cloud) -> None:
    admin = cloud.headers()
    first, second = cloud.active_server(admin), cloud.active_server(admin)
    down = _show(cloud, first)["OS-EXT-SRV-ATTR:host"]
    if _show(cloud, second)["OS-EXT-SRV-ATTR:host"] != down:
        second = cloud.active_server(admin, availability_zone=f"nova:{down}")
    forced = cloud.compute.put("/v2.1/os-services/force-down", headers=at(admin, 11),
                               json={"host": down, "binary": "nova-compute",
                                     "forced_down": True})
    assert forced.status_code == 200, forced.text
    for sid, minor, status in ((first, 94, "ACTIVE"), (second, 95, "SHUTOFF")):
        resp = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=at(admin, minor),
                                  json={"evacuate": {}})
        assert resp.status_code == 200, resp.text
        moved = cloud.wait_for_server(admin, sid, until=(status,))
        assert moved["OS-EXT-SRV-ATTR:host"] != down
        assert moved["OS-EXT-STS:task_state"] is None


def test_pinned_availability_zone_from_2_96(cloud: Cloud) -> None:
    admin = cloud.headers()
    pinned, free = cloud.active_server(admin, availability_zone="nova"), cloud.active_server(admin)
    assert _show(cloud, pinned)["pinned_availability_zone"] == "nova"
    assert _show(cloud, free)["pinned_availability_zone"] is None
    assert "pinned_availability_zone" not in _show(cloud, free, 95)
    listed = cloud.compute.get("/v2.1/servers/detail", headers=at(admin, 96)).json()
    assert {s["id"]: s["pinned_availability_zone"] for s in listed["servers"]} == {
        pinned: "nova", free: None}


def test_other_lists_refuse_unknown_query_parameters_from_2_75(cloud: Cloud) -> None:
    admin = cloud.headers()
    project = cloud.admin_project_id
    for path in ("/v2.1/flavors", "/v2.1/flavors/detail", "/v2.1/os-keypairs",
                 f"/v2.1/os-quota-sets/{project}", f"/v2.1/os-quota-sets/{project}/detail",
                 "/v2.1/limits", "/v2.1/os-server-groups", "/v2.1/os-services",
                 "/v2.1/os-simple-tenant-usage", f"/v2.1/os-simple-tenant-usage/{project}"):
        assert cloud.compute.get(path, params={"bogus": "1"}, headers=at(admin, 74)
                                 ).status_code == 200, path
        refused = cloud.compute.get(path, params={"bogus": "1"}, headers=at(admin, 75))
        assert refused.status_code == 400, path
        assert "bogus" in refused.json()["badRequest"]["message"]
    assert cloud.compute.get("/v2.1/flavors", params={"minRam": "0", "sort_key": "name"},
                             headers=at(admin, 75)).status_code == 200
