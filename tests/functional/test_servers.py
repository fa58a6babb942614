"""The boot path through the compute API, and what a client sees of servers."""
from __future__ import annotations

import datetime
import urllib.parse
from typing import Any

import pytest

from conductor import rpcapi as conductor_rpcapi
from stratus.config import CONF
from stratus.context import get_admin_context
from tests.functional.conftest import Cloud

V247 = {"OpenStack-API-Version": "compute 2.47"}


def test_boot_to_active_then_delete(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    created = cloud.boot(admin, image["id"], name="web-1", metadata={"role": "web"})
    assert set(created) >= {"id", "links", "OS-DCF:diskConfig", "adminPass"}
    assert created["links"][0]["href"].endswith(f"/v2.1/servers/{created['id']}")

    server = cloud.wait_for_server(admin, created["id"])
    assert server["status"] == "ACTIVE"
    assert server["OS-EXT-STS:power_state"] == 1
    assert server["OS-EXT-STS:vm_state"] == "active"
    assert server["OS-EXT-STS:task_state"] is None
    assert server["OS-EXT-SRV-ATTR:host"] == "testhost"
    assert server["metadata"] == {"role": "web"}
    assert server["flavor"]["original_name"] == "m1.tiny" and server["flavor"]["ram"] == 512
    assert server["image"]["id"] == image["id"]
    assert server["tenant_id"] == cloud.admin_project_id
    assert server["hostId"] and server["OS-SRV-USG:launched_at"]

    old = cloud.compute.get(f"/v2.1/servers/{created['id']}", headers=admin).json()["server"]
    assert old["flavor"] == {"id": "1", "links": old["flavor"]["links"]}
    assert "locked" not in old and "description" not in old

    resp = cloud.compute.delete(f"/v2.1/servers/{created['id']}", headers=admin)
    assert resp.status_code == 204
    cloud.wait_until_gone(admin, created["id"])
    row = conductor_rpcapi.client().instance_get(
        get_admin_context(), instance_uuid=created["id"], read_deleted=True)
    assert row["vm_state"] == "deleted" and row["deleted"] != 0
    usage = cloud.compute.get("/v2.1/limits", headers=admin).json()["limits"]["absolute"]
    assert usage["totalInstancesUsed"] == 0 and usage["totalRAMUsed"] == 0


def test_list_detail_and_filters(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    ids = [cloud.boot(admin, image["id"], name=n)["id"] for n in ("alpha", "beta", "alpine")]
    for sid in ids:
        cloud.wait_for_server(admin, sid)
    brief = cloud.compute.get("/v2.1/servers", headers=admin).json()["servers"]
    assert sorted(s["name"] for s in brief) == ["alpha", "alpine", "beta"]
    assert set(brief[0]) == {"id", "name", "links"}
    detail = cloud.compute.get("/v2.1/servers/detail?name=^al", headers=admin).json()
    assert sorted(s["name"] for s in detail["servers"]) == ["alpha", "alpine"]
    active = cloud.compute.get("/v2.1/servers?status=ACTIVE", headers=admin).json()["servers"]
    assert len(active) == 3
    assert cloud.compute.get("/v2.1/servers?status=SHUTOFF",
                             headers=admin).json()["servers"] == []
    page = cloud.compute.get("/v2.1/servers?limit=2", headers=admin).json()
    assert len(page["servers"]) == 2 and page["servers_links"][0]["rel"] == "next"
    rest = cloud.compute.get(f"/v2.1/servers?limit=2&marker={page['servers'][-1]['id']}",
                             headers=admin).json()
    assert len(rest["servers"]) == 1
    assert {s["id"] for s in page["servers"] + rest["servers"]} == set(ids)
    by_image = cloud.compute.get(f"/v2.1/servers?image={image['id']}", headers=admin).json()
    assert len(by_image["servers"]) == 3
    by_flavor = cloud.compute.get("/v2.1/servers?flavor=2", headers=admin).json()
    assert by_flavor["servers"] == []
    bad = cloud.compute.get("/v2.1/servers?status=NOPE", headers={**admin, **V247})
    assert bad.status_code == 400 and "badRequest" in bad.json()


def test_update_server_name_and_description(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.boot(admin, cloud.create_image(admin)["id"])["id"]
    resp = cloud.compute.put(f"/v2.1/servers/{sid}", headers={**admin, **V247},
                             json={"server": {"name": "renamed", "description": "db node"}})
    assert resp.status_code == 200
    assert resp.json()["server"]["name"] == "renamed"
    assert resp.json()["server"]["description"] == "db node"
    old = cloud.compute.put(f"/v2.1/servers/{sid}", headers=admin,
                            json={"server": {"description": "not before 2.19"}})
    assert old.status_code == 400


def test_server_metadata(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.boot(admin, cloud.create_image(admin)["id"], metadata={"a": "1"})["id"]
    base = f"/v2.1/servers/{sid}/metadata"
    assert cloud.compute.post(base, headers=admin, json={"metadata": {"b": "2"}}).json() == {
        "metadata": {"a": "1", "b": "2"}}
    assert cloud.compute.get(f"{base}/b", headers=admin).json() == {"meta": {"b": "2"}}
    assert cloud.compute.put(f"{base}/c", headers=admin,
                             json={"meta": {"c": "3"}}).json() == {"meta": {"c": "3"}}
    assert cloud.compute.delete(f"{base}/a", headers=admin).status_code == 204
    assert cloud.compute.get(base, headers=admin).json() == {"metadata": {"b": "2", "c": "3"}}
    assert cloud.compute.put(base, headers=admin, json={"metadata": {"z": "9"}}).json() == {
        "metadata": {"z": "9"}}
    assert cloud.compute.get(f"{base}/nope", headers=admin).status_code == 404
    mismatch = cloud.compute.put(f"{base}/x", headers=admin, json={"meta": {"y": "1"}})
    assert mismatch.status_code == 400
    assert cloud.compute.get(f"/v2.1/servers/{sid}/ips", headers=admin).json() == {
        "addresses": {}}


def test_failed_spawn_is_rescheduled_then_errors_with_a_fault(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    CONF.set_override("fail_spawn_images", [image["id"]], group="fake")
    try:
        sid = cloud.boot(admin, image["id"])["id"]
        server = cloud.wait_for_server(admin, sid)
    finally:
        CONF.clear_override("fail_spawn_images", group="fake")
    assert server["status"] == "ERROR"
    assert "failed after 1 attempt" in server["fault"]["message"]
    assert "told to fail image" in server["fault"]["message"]
    assert server["fault"]["code"] == 500
    assert server["OS-EXT-SRV-ATTR:host"] is None
    assert cloud.compute.delete(f"/v2.1/servers/{sid}", headers=admin).status_code == 204
    cloud.wait_until_gone(admin, sid)


def test_no_valid_host_explains_which_filter_removed_hosts(cloud: Cloud) -> None:
    admin = cloud.headers()
    flavor = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
        "name": "huge", "ram": 10_000_000, "vcpus": 1, "disk": 1}}).json()["flavor"]
    member = cloud.make_user("member")
    cloud.compute.put(f"/v2.1/os-quota-sets/{member['project_id']}", headers=admin,
                      json={"quota_set": {"ram": -1}})
    image = cloud.create_image(admin, visibility="public")
    sid = cloud.boot(member["headers"], image["id"], flavor=flavor["id"])["id"]
    server = cloud.wait_for_server(member["headers"], sid)
    assert server["status"] == "ERROR"
    message = server["fault"]["message"]
    assert message.startswith("No valid host was found.")
    assert "RamFilter removed 1 of 1 hosts: less than 10000000 MB free RAM" in message
    assert "testhost" not in message and "details" not in server["fault"]
    shown = cloud.compute.get(f"/v2.1/servers/{sid}", headers={**admin, **V247}).json()
    assert shown["server"]["fault"]["details"] == (
        "RamFilter removed 1 of 1 hosts (testhost): less than 10000000 MB free RAM.")
    actions = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions",
                                headers=admin).json()["instanceActions"]
    event = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions/"
                              f"{actions[0]['request_id']}", headers=admin).json()
    events = event["instanceAction"]["events"]
    assert events[0]["event"] == "conductor_schedule_and_build_instances"
    assert events[0]["result"] == "Error" and "(testhost)" in events[0]["traceback"]
    mine = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions/"
                             f"{actions[0]['request_id']}", headers=member["headers"]).json()
    assert "events" not in mine["instanceAction"]


def test_quota_exceeded_names_the_resource(cloud: Cloud) -> None:
    admin = cloud.headers()
    member = cloud.make_user("member")
    image = cloud.create_image(admin, visibility="public")
    resp = cloud.compute.put(f"/v2.1/os-quota-sets/{member['project_id']}", headers=admin,
                             json={"quota_set": {"cores": 10}})
    assert resp.status_code == 200 and resp.json()["quota_set"]["cores"] == 10
    cloud.boot(member["headers"], image["id"], flavor="4")  # 4 vCPUs
    cloud.boot(member["headers"], image["id"], flavor="4")
    resp = cloud.compute.post("/v2.1/servers", headers={**member["headers"], **V247}, json={
        "server": {"name": "x", "imageRef": image["id"], "flavorRef": "4",
                   "networks": "none"}})
    assert resp.status_code == 403
    assert resp.json() == {"forbidden": {"code": 403, "message": (
        "Quota exceeded for cores: requested 4, but already used 8 of 10 cores")}}
    rows = conductor_rpcapi.client().instance_list(
        get_admin_context(), filters={"project_id": member["project_id"]})
    assert len(rows) == 2


def test_multiple_create_is_cut_to_what_quota_allows(cloud: Cloud) -> None:
    admin = cloud.headers()
    member = cloud.make_user("member")
    image = cloud.create_image(admin, visibility="public")
    cloud.compute.put(f"/v2.1/os-quota-sets/{member['project_id']}", headers=admin,
                      json={"quota_set": {"instances": 3}})
    created = cloud.boot(member["headers"], image["id"], name="many", min_count=2,
                         max_count=5)
    cloud.wait_for_server(member["headers"], created["id"])
    names = sorted(s["name"] for s in cloud.compute.get(
        "/v2.1/servers", headers=member["headers"]).json()["servers"])
    assert names == ["many-1", "many-2", "many-3"]


def _create(cloud: Cloud, headers: dict[str, str], server: dict[str, Any],
            version: str = "2.47") -> Any:
    return cloud.compute.post("/v2.1/servers", json={"server": server},
                              headers={**headers, "OpenStack-API-Version": f"compute {version}"})


def test_bad_create_requests_are_clear_400s(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    good = {"name": "vm", "imageRef": image["id"], "flavorRef": "1", "networks": "none"}
    cases = [
        ({**good, "flavorRef": "404"}, "Flavor 404 could not be found."),
        ({**good, "imageRef": "00000000-0000-0000-0000-000000000000"},
         "Image 00000000-0000-0000-0000-000000000000 could not be found."),
        ({k: v for k, v in good.items() if k != "name"}, "'name' is a required property"),
        ({k: v for k, v in good.items() if k != "networks"}, "'networks' is a required"),
        ({**good, "networks": [{"uuid": "abc"}]}, "network uuid is not in proper format (abc)"),
        ({**good, "networks": [{"uuid": "8c1ea6f1-4a5c-4d4f-9f3e-000000000000"}]},
         "Network 8c1ea6f1-4a5c-4d4f-9f3e-000000000000 could not be found."),
        ({**good, "networks": [{"port": "8c1ea6f1-4a5c-4d4f-9f3e-000000000000"}]},
         "Port 8c1ea6f1-4a5c-4d4f-9f3e-000000000000 could not be found"),
        ({**good, "key_name": "missing"}, "Invalid key_name provided."),
        ({**good, "user_data": "not base64!"}, "User data needs to be valid base 64."),
        ({**good, "availability_zone": "az9"}, "availability zone az9 is not available"),
        ({**good, "bogus": 1}, "Additional properties are not allowed"),
        ({**good, "min_count": 3, "max_count": 2}, "min_count"),
    ]
    for server, expected in cases:
        resp = _create(cloud, admin, server)
        assert resp.status_code == 400, (server, resp.text)
        assert expected in resp.json()["badRequest"]["message"], resp.text
    queued = cloud.image.post("/v2/images", headers=admin, json={
        "name": "empty", "disk_format": "raw", "container_format": "bare"}).json()
    resp = _create(cloud, admin, {**good, "imageRef": queued["id"]})
    assert resp.status_code == 400 and "is not active" in resp.text
    small = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
        "name": "small-disk", "ram": 64, "vcpus": 1, "disk": 1}}).json()["flavor"]
    big = cloud.create_image(admin, min_disk=5)
    resp = _create(cloud, admin, {**good, "imageRef": big["id"], "flavorRef": small["id"]})
    assert resp.status_code == 400 and "disk is too small" in resp.text
    assert conductor_rpcapi.client().instance_list(get_admin_context(), filters={}) == []
    not_json = cloud.compute.post("/v2.1/servers", content=b"{nope",
                                  headers={**admin, "Content-Type": "application/json"})
    assert not_json.status_code == 400


def test_microversion_negotiation(cloud: Cloud) -> None:
    admin = cloud.headers()
    resp = cloud.compute.get("/v2.1/servers", headers=admin)
    assert resp.headers["OpenStack-API-Version"] == "compute 2.1"
    assert resp.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    latest = cloud.compute.get("/v2.1/servers",
                               headers={**admin, "OpenStack-API-Version": "compute latest"})
    assert latest.headers["OpenStack-API-Version"] == "compute 2.104"
    legacy = cloud.compute.get("/v2.1/servers",
                               headers={**admin, "X-OpenStack-Nova-API-Version": "2.19"})
    assert legacy.headers["X-OpenStack-Nova-API-Version"] == "2.19"
    too_new = cloud.compute.get("/v2.1/servers",
                                headers={**admin, "OpenStack-API-Version": "compute 2.999"})
    assert too_new.status_code == 406
    assert "maximum is 2.104" in too_new.json()["computeFault"]["message"]
    garbage = cloud.compute.get("/v2.1/servers",
                                headers={**admin, "OpenStack-API-Version": "compute 2.x"})
    assert garbage.status_code == 400
    legacy_v2, root = cloud.compute.get("/").json()["versions"]
    assert root["id"] == "v2.1" and root["version"] == "2.104" and root["min_version"] == "2.1"
    assert (legacy_v2["id"], legacy_v2["status"]) == ("v2.0", "SUPPORTED")
    # Each listed version's self link leads to its own document (Tempest follows them).
    for listed in (legacy_v2, root):
        href = next(link["href"] for link in listed["links"] if link["rel"] == "self")
        doc = cloud.compute.get(urllib.parse.urlsplit(href).path).json()["version"]
        assert doc["id"] == listed["id"] and doc["links"][0] == listed["links"][0]
    assert cloud.compute.get("/v2.1").json()["version"]["status"] == "CURRENT"


def test_request_ids_and_auth(cloud: Cloud) -> None:
    resp = cloud.compute.get("/v2.1/servers")
    assert resp.status_code == 401
    assert resp.headers["x-openstack-request-id"].startswith("req-")
    bad = cloud.compute.get("/v2.1/servers", headers={"X-Auth-Token": "forged.token"})
    assert bad.status_code == 401
    ok = cloud.compute.get("/v2.1/servers", headers=cloud.headers())
    assert ok.headers["x-openstack-request-id"] != resp.headers["x-openstack-request-id"]
    assert ok.headers["x-compute-request-id"] == ok.headers["x-openstack-request-id"]


def test_project_isolation(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, visibility="public")
    alice = cloud.make_user("member")
    bob = cloud.make_user("member")
    sid = cloud.boot(alice["headers"], image["id"])["id"]
    cloud.wait_for_server(alice["headers"], sid)
    for method, path in [("get", f"/v2.1/servers/{sid}"), ("delete", f"/v2.1/servers/{sid}"),
                         ("get", f"/v2.1/servers/{sid}/metadata"),
                         ("put", f"/v2.1/servers/{sid}")]:
        kwargs: dict[str, Any] = {"json": {"server": {"name": "x"}}} if method == "put" else {}
        resp = getattr(cloud.compute, method)(path, headers=bob["headers"], **kwargs)
        assert resp.status_code == 404, (method, path, resp.text)
        assert "itemNotFound" in resp.json()
    assert cloud.compute.get("/v2.1/servers", headers=bob["headers"]).json()["servers"] == []
    denied = cloud.compute.get("/v2.1/servers?all_tenants=1", headers=bob["headers"])
    assert denied.status_code == 403
    everyone = cloud.compute.get("/v2.1/servers?all_tenants=1", headers=admin).json()
    assert [s["id"] for s in everyone["servers"]] == [sid]
    shown = cloud.compute.get(f"/v2.1/servers/{sid}", headers=alice["headers"]).json()
    assert "OS-EXT-SRV-ATTR:host" not in shown["server"]


def test_reader_cannot_change_anything(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, visibility="public")
    member = cloud.make_user("member")
    reader = cloud.make_user("reader", project=member["project_name"])
    sid = cloud.boot(member["headers"], image["id"])["id"]
    assert cloud.compute.get(f"/v2.1/servers/{sid}", headers=reader["headers"]).status_code \
        == 200
    assert _create(cloud, reader["headers"], {"name": "r", "imageRef": image["id"],
                                              "flavorRef": "1", "networks": "none"}
                   ).status_code == 403
    assert cloud.compute.delete(f"/v2.1/servers/{sid}",
                                headers=reader["headers"]).status_code == 403
    assert cloud.compute.post(f"/v2.1/servers/{sid}/metadata", headers=reader["headers"],
                              json={"metadata": {"a": "b"}}).status_code == 403
    for path in ("/v2.1/os-services", "/v2.1/os-quota-class-sets/default"):
        assert cloud.compute.get(path, headers=member["headers"]).status_code == 403


def test_unknown_server_is_404(cloud: Cloud) -> None:
    admin = cloud.headers()
    for method in ("get", "delete"):
        resp = getattr(cloud.compute, method)(
            "/v2.1/servers/00000000-0000-0000-0000-000000000000", headers=admin)
        assert resp.status_code == 404
        assert resp.json() == {"itemNotFound": {"code": 404, "message": (
            "Instance 00000000-0000-0000-0000-000000000000 could not be found.")}}
    for query in ("limit=abc", "limit=-1", "marker=nope", "sort_dir=sideways",
                  "changes-since=yesterday"):
        resp = cloud.compute.get(f"/v2.1/servers?{query}", headers=admin)
        assert resp.status_code == 400, (query, resp.text)


@pytest.mark.parametrize("cloud", [{"fake_hosts": 3}], indirect=True)
def test_many_fake_hosts_in_one_process_share_the_load(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    cloud.boot(admin, image["id"], flavor="3", min_count=6, max_count=6)
    listed = cloud.compute.get("/v2.1/servers", headers=admin).json()["servers"]
    servers = [cloud.wait_for_server(admin, s["id"]) for s in listed]
    assert len(servers) == 6 and {s["status"] for s in servers} == {"ACTIVE"}
    per_host: dict[str, int] = {}
    for s in servers:
        per_host[s["OS-EXT-SRV-ATTR:host"]] = per_host.get(s["OS-EXT-SRV-ATTR:host"], 0) + 1
    assert per_host == {"testhost": 2, "testhost-2": 2, "testhost-3": 2}
    host_filter = cloud.compute.get("/v2.1/servers?host=testhost-2", headers=admin).json()
    assert len(host_filter["servers"]) == 2
    member = cloud.make_user("member")
    ignored = cloud.compute.get("/v2.1/servers?host=testhost-2", headers=member["headers"])
    assert ignored.json()["servers"] == []
    for s in servers:
        cloud.compute.delete(f"/v2.1/servers/{s['id']}", headers=admin)
    for s in servers:
        cloud.wait_until_gone(admin, s["id"])
    nodes = conductor_rpcapi.client().host_states(get_admin_context())
    assert [(n["host"], n["running_vms"], n["memory_mb_used"]) for n in nodes] == [
        ("testhost", 0, 0), ("testhost-2", 0, 0), ("testhost-3", 0, 0)]


def test_changes_since_shows_deleted_servers(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    since = (datetime.datetime.utcnow() - datetime.timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    sid = cloud.boot(admin, image["id"], name="gone")["id"]
    cloud.wait_for_server(admin, sid)
    cloud.compute.delete(f"/v2.1/servers/{sid}", headers=admin)
    cloud.wait_until_gone(admin, sid)
    resp = cloud.compute.get(f"/v2.1/servers/detail?changes-since={since}", headers=admin)
    assert [(s["id"], s["status"]) for s in resp.json()["servers"]] == [(sid, "DELETED")]
    assert cloud.compute.get("/v2.1/servers", headers=admin).json()["servers"] == []


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_scheduler_hints_place_servers(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)

    def boot(name: str, hints: dict[str, Any]) -> dict[str, Any]:
        resp = cloud.compute.post("/v2.1/servers", headers={**admin, **V247}, json={
            "server": {"name": name, "imageRef": image["id"], "flavorRef": "1",
                       "networks": "none"}, "os:scheduler_hints": hints})
        assert resp.status_code == 202, resp.text
        return cloud.wait_for_server(admin, resp.json()["server"]["id"])

    first = boot("first", {})
    apart = boot("apart", {"different_host": [first["id"]]})
    together = boot("together", {"same_host": first["id"]})
    assert apart["OS-EXT-SRV-ATTR:host"] != first["OS-EXT-SRV-ATTR:host"]
    assert together["OS-EXT-SRV-ATTR:host"] == first["OS-EXT-SRV-ATTR:host"]
    query = boot("queried", {"query": '["=", "$host", "testhost-2"]'})
    assert query["OS-EXT-SRV-ATTR:host"] == "testhost-2"
    nowhere = boot("nowhere", {"same_host": [first["id"]],
                               "different_host": [first["id"]]})
    assert nowhere["status"] == "ERROR"
    assert ("DifferentHostFilter removed 1 of 1 hosts: runs an instance named in the "
            "different_host hint") in nowhere["fault"]["message"]
    assert "SameHostFilter removed 1 of 2 hosts" in nowhere["fault"]["message"]


def test_image_the_hosts_cannot_run_explains_itself(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, architecture="aarch64")
    sid = cloud.boot(admin, image["id"])["id"]
    server = cloud.wait_for_server(admin, sid)
    assert server["status"] == "ERROR"
    assert ("ImagePropertiesFilter removed 1 of 1 hosts: cannot run images needing "
            "architecture aarch64") in server["fault"]["message"]
    fits = cloud.boot(admin, cloud.create_image(admin, architecture="x86_64")["id"])["id"]
    assert cloud.wait_for_server(admin, fits)["status"] == "ACTIVE"


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_admins_force_a_host_but_not_past_its_capacity(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    for zone, host in (("nova:testhost-2", "testhost-2"), ("nova::testhost", "testhost"),
                       (":testhost-2", "testhost-2")):
        sid = cloud.boot(admin, image["id"], availability_zone=zone)["id"]
        server = cloud.wait_for_server(admin, sid)
        assert server["OS-EXT-SRV-ATTR:host"] == host, zone
        assert server["OS-EXT-AZ:availability_zone"] == "nova"
    cloud.compute.put("/v2.1/os-services/disable", headers=admin,
                      json={"host": "testhost-2", "binary": "stratus-compute"})
    forced = cloud.boot(admin, image["id"], availability_zone="nova:testhost-2")["id"]
    assert cloud.wait_for_server(admin, forced)["OS-EXT-SRV-ATTR:host"] == "testhost-2"
    huge = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
        "name": "huge", "ram": 10_000_000, "vcpus": 1, "disk": 1}}).json()["flavor"]
    cloud.compute.put(f"/v2.1/os-quota-sets/{cloud.admin_project_id}", headers=admin,
                      json={"quota_set": {"ram": -1}})
    too_big = cloud.boot(admin, image["id"], flavor=huge["id"],
                         availability_zone="nova:testhost")["id"]
    failed = cloud.wait_for_server(admin, too_big)
    assert failed["status"] == "ERROR" and "ran out of room" in failed["fault"]["message"]
    assert "not enough RAM: need 10000000" in failed["fault"]["message"]
    nowhere = cloud.boot(admin, image["id"], availability_zone="nova:ghost")["id"]
    assert "ghost is not a compute host" in cloud.wait_for_server(admin, nowhere)[
        "fault"]["message"]
    member = cloud.make_user("member")
    resp = cloud.compute.post("/v2.1/servers", headers={**member["headers"], **V247}, json={
        "server": {"name": "x", "imageRef": image["id"], "flavorRef": "1",
                   "networks": "none", "availability_zone": "nova:testhost"}})
    assert resp.status_code == 403


@pytest.mark.parametrize("version,extra,status,fragment", [
    ("2.52", {"tags": ["web", "blue", "web"]}, 202, None),
    ("2.51", {"tags": ["web"]}, 400, "tags"),                 # tags on create from 2.52
    ("2.52", {"tags": ["a/b"]}, 400, "tags"),
    ("2.56", {"personality": [{"path": "/x", "contents": ""}]}, 400, "Personality"),
    ("2.57", {"personality": []}, 400, "personality"),          # gone from the schema
    ("2.63", {"trusted_image_certificates": ["cert-1"]}, 400,
     "Trusted image certificates are not supported"),
    ("2.63", {"trusted_image_certificates": None}, 202, None),
])
def test_create_changes_up_to_2_64(cloud: Cloud, version: str, extra: dict[str, Any],
                                   status: int, fragment: str | None) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)["id"]
    headers = {**admin, "OpenStack-API-Version": f"compute {version}"}
    resp = cloud.compute.post("/v2.1/servers", headers=headers, json={"server": {
        "name": "v", "imageRef": image, "flavorRef": "1", "networks": "none", **extra}})
    assert resp.status_code == status, resp.text
    if fragment:
        assert fragment in resp.json()["badRequest"]["message"]
        return
    shown = cloud.compute.get(f"/v2.1/servers/{resp.json()['server']['id']}",
                              headers=headers).json()["server"]
    assert shown["tags"] == (["web", "blue"] if "tags" in extra else [])  # duplicates go
    assert ("trusted_image_certificates" in shown) is (version >= "2.63")
    if version >= "2.63":
        assert shown["trusted_image_certificates"] is None
