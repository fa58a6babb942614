"""/os-aggregates: host aggregates, the availability zones they define, and what the
scheduler does with their metadata."""
from __future__ import annotations

from typing import Any

import pytest

from tests.functional.conftest import Cloud

V241 = {"OpenStack-API-Version": "compute 2.41"}
TWO_HOSTS = [{"fake_hosts": 2}]


def _create(cloud: Cloud, admin: dict[str, str], name: str,
            zone: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name}
    if zone:
        body["availability_zone"] = zone
    resp = cloud.compute.post("/v2.1/os-aggregates", json={"aggregate": body},
                              headers={**admin, **V241})
    assert resp.status_code == 200, resp.text
    return resp.json()["aggregate"]


def _action(cloud: Cloud, admin: dict[str, str], agg_id: int, body: dict[str, Any],
            status: int = 200) -> dict[str, Any]:
    resp = cloud.compute.post(f"/v2.1/os-aggregates/{agg_id}/action", json=body, headers=admin)
    assert resp.status_code == status, resp.text
    return resp.json()


def test_aggregate_lifecycle(cloud: Cloud) -> None:
    admin = cloud.headers()
    created = _create(cloud, admin, "fast-disks", zone="az1")
    assert set(created) == {"id", "uuid", "name", "availability_zone", "created_at",
                            "updated_at", "deleted", "deleted_at"}
    assert (created["name"], created["availability_zone"], created["deleted"]) == \
        ("fast-disks", "az1", False)
    agg = created["id"]
    added = _action(cloud, admin, agg, {"add_host": {"host": "testhost"}})["aggregate"]
    assert added["hosts"] == ["testhost"]
    assert added["metadata"] == {"availability_zone": "az1"}
    meta = _action(cloud, admin, agg, {"set_metadata": {"metadata": {
        "ssd": "true", "ram_allocation_ratio": "1.0"}}})["aggregate"]["metadata"]
    assert meta == {"availability_zone": "az1", "ssd": "true", "ram_allocation_ratio": "1.0"}
    meta = _action(cloud, admin, agg, {"set_metadata": {"metadata": {
        "ssd": None}}})["aggregate"]["metadata"]
    assert meta == {"availability_zone": "az1", "ram_allocation_ratio": "1.0"}
    renamed = cloud.compute.put(f"/v2.1/os-aggregates/{agg}", headers=admin,
                                json={"aggregate": {"name": "ssd"}}).json()["aggregate"]
    assert renamed["name"] == "ssd" and renamed["hosts"] == ["testhost"]
    assert "uuid" not in renamed  # before 2.41
    listed = cloud.compute.get("/v2.1/os-aggregates", headers=admin).json()["aggregates"]
    assert [(a["id"], a["name"], a["hosts"]) for a in listed] == [(agg, "ssd", ["testhost"])]
    shown = cloud.compute.get(f"/v2.1/os-aggregates/{agg}",
                              headers={**admin, **V241}).json()["aggregate"]
    assert shown["uuid"] == created["uuid"]

    resp = cloud.compute.delete(f"/v2.1/os-aggregates/{agg}", headers=admin)
    assert resp.status_code == 400
    assert "not empty" in resp.json()["badRequest"]["message"]
    removed = _action(cloud, admin, agg, {"remove_host": {"host": "testhost"}})["aggregate"]
    assert removed["hosts"] == []
    resp = cloud.compute.delete(f"/v2.1/os-aggregates/{agg}", headers=admin)
    assert resp.status_code == 200 and resp.content == b""
    assert cloud.compute.get(f"/v2.1/os-aggregates/{agg}", headers=admin).status_code == 404


@pytest.mark.parametrize("method,path,body,status,fragment", [
    ("post", "", {"aggregate": {"name": "a"}}, 409, "Aggregate a already exists"),
    ("post", "", {"aggregate": {"name": " padded"}}, 400, "name"),
    ("post", "", {"aggregate": {"name": "b", "availability_zone": "x:y"}}, 400,
     "availability_zone"),
    ("post", "", {"aggregate": {"name": "b", "availability_zone": "internal"}}, 400,
     "zone of internal services"),
    ("post", "", {"aggregate": {"name": "b", "extra": 1}}, 400, "extra"),
    ("put", "/{id}", {"aggregate": {}}, 400, "aggregate"),
    ("get", "/abc", None, 400, "must be an integer"),
    ("get", "/9999", None, 404, "Aggregate 9999 could not be found"),
    ("post", "/{id}/action", {"add_host": {"host": "nosuchhost"}}, 404,
     "Compute host nosuchhost could not be found"),
    ("post", "/{id}/action", {"remove_host": {"host": "testhost"}}, 404,
     "has no host testhost"),
    ("post", "/{id}/action", {"explode": {}}, 400, "Unknown aggregate action"),
    ("post", "/{id}/action", {"set_metadata": {"metadata": {"cpu_allocation_ratio": "x"}}},
     400, "cpu_allocation_ratio must be a positive number"),
])
def test_aggregate_errors(cloud: Cloud, method: str, path: str, body: Any, status: int,
                          fragment: str) -> None:
    admin = cloud.headers()
    agg = _create(cloud, admin, "a")["id"]
    kwargs = {"json": body} if body is not None else {}
    resp = getattr(cloud.compute, method)(
        "/v2.1/os-aggregates" + path.format(id=agg), headers=admin, **kwargs)
    assert resp.status_code == status, resp.text
    assert fragment in str(resp.json()), resp.text


def test_hosts_keep_one_zone(cloud: Cloud) -> None:
    admin = cloud.headers()
    first = _create(cloud, admin, "first", zone="az1")["id"]
    second = _create(cloud, admin, "second", zone="az2")["id"]
    plain = _create(cloud, admin, "plain")["id"]
    _action(cloud, admin, first, {"add_host": {"host": "testhost"}})
    _action(cloud, admin, first, {"add_host": {"host": "testhost"}}, status=409)
    body = _action(cloud, admin, second, {"add_host": {"host": "testhost"}}, status=409)
    assert "already in availability zone(s) az1" in body["conflictingRequest"]["message"]
    _action(cloud, admin, plain, {"add_host": {"host": "testhost"}})  # no zone: fine
    body = _action(cloud, admin, plain, {"set_metadata": {"metadata": {
        "availability_zone": "az2"}}}, status=400)
    assert "already in availability zone(s) az1" in body["badRequest"]["message"]


def test_member_may_not_manage_aggregates(cloud: Cloud) -> None:
    member = cloud.make_user("member")["headers"]
    assert cloud.compute.get("/v2.1/os-aggregates", headers=member).status_code == 403
    resp = cloud.compute.post("/v2.1/os-aggregates", headers=member,
                              json={"aggregate": {"name": "mine"}})
    assert resp.status_code == 403


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_zones_come_from_aggregates(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)["id"]
    agg = _create(cloud, admin, "rack2", zone="az2")["id"]
    _action(cloud, admin, agg, {"add_host": {"host": "testhost-2"}})
    zones = cloud.compute.get("/v2.1/os-availability-zone",
                              headers=admin).json()["availabilityZoneInfo"]
    assert [z["zoneName"] for z in zones] == ["az2", "nova"]
    detail = cloud.compute.get("/v2.1/os-availability-zone/detail",
                               headers=admin).json()["availabilityZoneInfo"]
    assert {z["zoneName"]: sorted(z["hosts"]) for z in detail}["az2"] == ["testhost-2"]
    services = cloud.compute.get("/v2.1/os-services", headers=admin).json()["services"]
    assert {(s["host"], s["binary"]): s["zone"] for s in services} == {
        ("testhost", "nova-conductor"): "internal",
        ("testhost", "nova-scheduler"): "internal",
        ("testhost", "nova-network"): "internal", ("testhost-2", "nova-network"): "internal",
        ("testhost", "nova-compute"): "nova", ("testhost-2", "nova-compute"): "az2"}

    for zone, host in (("az2", "testhost-2"), ("nova", "testhost")):
        for _ in range(2):
            sid = cloud.boot(admin, image, availability_zone=zone)["id"]
            server = cloud.wait_for_server(admin, sid)
            assert server["status"] == "ACTIVE"
            assert server["OS-EXT-AZ:availability_zone"] == zone
            assert server["OS-EXT-SRV-ATTR:host"] == host
    resp = cloud.compute.post("/v2.1/servers", headers=admin, json={"server": {
        "name": "x", "imageRef": image, "flavorRef": "1", "availability_zone": "az9"}})
    assert resp.status_code == 400
    assert "availability zone az9 is not available" in resp.json()["badRequest"]["message"]
    # Hosts that run instances keep their zone.
    body = _action(cloud, admin, agg, {"set_metadata": {"metadata": {
        "availability_zone": "az3"}}}, status=400)
    assert "run instances" in body["badRequest"]["message"]


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_aggregate_allocation_ratio_overrides_the_node(cloud: Cloud) -> None:
    """testhost-2 in an aggregate with ram_allocation_ratio 0.01 (about 1.3 GB of its
    128 GB, less the 512 MB reserve) cannot take a 2 GB flavor; the scheduler and the
    claim both see the override."""
    admin = cloud.headers()
    image = cloud.create_image(admin)["id"]
    agg = _create(cloud, admin, "small")["id"]
    _action(cloud, admin, agg, {"add_host": {"host": "testhost-2"}})
    _action(cloud, admin, agg, {"set_metadata": {"metadata": {"ram_allocation_ratio": "0.01"}}})
    hosts = set()
    for _ in range(3):
        sid = cloud.boot(admin, image, flavor="2")["id"]
        hosts.add(cloud.wait_for_server(admin, sid)["OS-EXT-SRV-ATTR:host"])
    assert hosts == {"testhost"}
    sid = cloud.boot(admin, image, flavor="2", availability_zone="nova:testhost-2")["id"]
    server = cloud.wait_for_server(admin, sid)
    assert server["status"] == "ERROR"
    assert "not enough RAM" in server["fault"]["message"]


ISOLATION = [{"fake_hosts": 2, "config": {"scheduler": {"enabled_filters": [
    "ComputeFilter", "RamFilter", "AggregateMultiTenancyIsolation",
    "AggregateInstanceExtraSpecsFilter"]}}}]


@pytest.mark.parametrize("cloud", ISOLATION, indirect=True)
def test_tenant_isolation_and_flavor_matching(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, visibility="public")["id"]
    tenant = cloud.make_user("member")
    other = cloud.make_user("member")
    agg = _create(cloud, admin, "dedicated")["id"]
    _action(cloud, admin, agg, {"add_host": {"host": "testhost-2"}})
    _action(cloud, admin, agg, {"set_metadata": {"metadata": {
        "filter_tenant_id": tenant["project_id"], "gpu": "true"}}})

    placed = {cloud.wait_for_server(other["headers"], cloud.boot(
        other["headers"], image)["id"])["id"] for _ in range(3)}
    hosts = {s["OS-EXT-SRV-ATTR:host"] for s in (cloud.wait_for_server(admin, sid)
                                                 for sid in placed)}
    assert hosts == {"testhost"}  # the other project never lands on the dedicated host

    flavor = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
        "name": "gpu", "ram": 512, "vcpus": 1, "disk": 1}}).json()["flavor"]["id"]
    cloud.compute.post(f"/v2.1/flavors/{flavor}/os-extra_specs", headers=admin, json={
        "extra_specs": {"aggregate_instance_extra_specs:gpu": "true"}})
    sid = cloud.boot(tenant["headers"], image, flavor=flavor)["id"]
    server = cloud.wait_for_server(admin, sid)
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", "testhost-2")
    sid = cloud.boot(other["headers"], image, flavor=flavor)["id"]
    server = cloud.wait_for_server(other["headers"], sid)
    assert server["status"] == "ERROR"
    message = server["fault"]["message"]
    assert "AggregateMultiTenancyIsolation removed 1 of 2 hosts" in message
    assert "AggregateInstanceExtraSpecsFilter removed 1 of 1 hosts: in no aggregate with " \
           "metadata gpu=true" in message
