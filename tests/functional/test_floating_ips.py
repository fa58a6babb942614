"""Floating IPs (seed 5.3.7) through nova-network's APIs on the fake data plane: pools,
allocation under quota, association with a server (its addresses, the agent's binding
and NAT rules), and the errors a user gets."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from network_agent.fake_net import FakeNetDriver
from network_agent.manager import NetworkManager
from stratus.config import CONF
from tests.functional.conftest import Cloud

V = "2.35"


def _h(headers: dict[str, str], version: str = V) -> dict[str, str]:
    return {**headers, "OpenStack-API-Version": f"compute {version}"}


def _driver(cloud: Cloud) -> FakeNetDriver:
    for service in cloud.services:
        for endpoint in service.endpoints:
            if isinstance(endpoint, NetworkManager) and endpoint.host == CONF.host:
                assert isinstance(endpoint.driver, FakeNetDriver)
                return endpoint.driver
    raise AssertionError("no network agent")


@pytest.fixture
def pool(cloud: Cloud) -> Iterator[str]:
    resp = cloud.compute.post("/v2.1/os-floating-ips-bulk", headers=_h(cloud.headers()),
                              json={"floating_ips_bulk_create": {
                                  "ip_range": "203.0.113.0/29", "pool": "public",
                                  "interface": "pub0"}})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"floating_ips_bulk_create": {
        "ip_range": "203.0.113.0/29", "pool": "public", "interface": "pub0"}}
    yield "public"


def _allocate(cloud: Cloud, headers: dict[str, str], pool: str = "public") -> Any:
    return cloud.compute.post("/v2.1/os-floating-ips", headers=_h(headers),
                              json={"pool": pool})


def _server(cloud: Cloud, headers: dict[str, str]) -> dict[str, Any]:
    image = cloud.create_image(cloud.headers(), visibility="public")["id"]
    resp = cloud.compute.post("/v2.1/servers", headers=_h(headers), json={"server": {
        "name": "vm", "imageRef": image, "flavorRef": "1"}})  # networks: the project's
    assert resp.status_code == 202, resp.text
    server = cloud.wait_for_server(headers, resp.json()["server"]["id"])
    assert server["status"] == "ACTIVE", server
    return server


def _eventually(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the network agent did not catch up in time"
        time.sleep(0.02)


def _action(cloud: Cloud, headers: dict[str, str], sid: str, body: dict[str, Any],
            version: str = V) -> Any:
    return cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=_h(headers, version),
                              json=body)


def test_allocate_associate_and_release_a_floating_ip(cloud: Cloud, pool: str) -> None:
    member = cloud.make_user()["headers"]
    assert cloud.compute.get("/v2.1/os-floating-ip-pools", headers=_h(member)).json() == {
        "floating_ip_pools": [{"name": "public"}]}
    resp = _allocate(cloud, member)
    assert resp.status_code == 200, resp.text
    fip = resp.json()["floating_ip"]
    assert fip["ip"] == "203.0.113.1" and fip["pool"] == "public"
    assert (fip["fixed_ip"], fip["instance_id"]) == (None, None)
    server = _server(cloud, member)
    (fixed,), = [[a["addr"] for a in items] for items in server["addresses"].values()]
    assert _action(cloud, member, server["id"], {"addFloatingIp": {
        "address": fip["ip"]}}).status_code == 202
    shown = cloud.compute.get(f"/v2.1/os-floating-ips/{fip['id']}", headers=_h(member)).json()
    assert shown == {"floating_ip": {**fip, "fixed_ip": fixed, "instance_id": server["id"]}}
    addresses = cloud.wait_for_server(member, server["id"])["addresses"]
    assert [(a["addr"], a["OS-EXT-IPS:type"]) for items in addresses.values()
            for a in items] == [(fixed, "fixed"), (fip["ip"], "floating")]
    driver = _driver(cloud)
    _eventually(lambda: driver.floating.get("pub0") == [fip["ip"]])
    assert driver.chain("nat", "stratus-float-in") == [
        f"-d {fip['ip']}/32 -j DNAT --to-destination {fixed}"]
    # Its requests to the metadata API keep their fixed source: the API knows it by it.
    assert driver.chain("nat", "stratus-float-out") == [
        f"-d {CONF.metadata_host}/32 -p tcp --dport {CONF.metadata_port} -j RETURN",
        f"-s {fixed}/32 -j SNAT --to-source {fip['ip']}"]
    assert _action(cloud, member, server["id"], {"removeFloatingIp": {
        "address": fip["ip"]}}).status_code == 202
    # The agent is told by a cast: it has unbound the address within moments.
    _eventually(lambda: driver.floating["pub0"] == [])
    assert driver.chain("nat", "stratus-float-in") == []
    again = _action(cloud, member, server["id"], {"removeFloatingIp": {"address": fip["ip"]}})
    assert again.status_code == 409, again.text
    assert cloud.compute.delete(f"/v2.1/os-floating-ips/{fip['id']}",
                                headers=_h(member)).status_code == 202
    assert cloud.compute.get("/v2.1/os-floating-ips", headers=_h(member)).json() == {
        "floating_ips": []}


def test_floating_ip_errors_are_clear_and_change_nothing(cloud: Cloud, pool: str) -> None:
    alice, bob = cloud.make_user(), cloud.make_user()
    theirs = _allocate(cloud, bob["headers"]).json()["floating_ip"]
    server = _server(cloud, alice["headers"])
    # Another project's address is not found for alice.
    resp = _action(cloud, alice["headers"], server["id"], {"addFloatingIp": {
        "address": theirs["ip"]}})
    assert resp.status_code == 404, resp.text
    assert "Floating IP not found" in resp.json()["itemNotFound"]["message"]
    mine = _allocate(cloud, alice["headers"]).json()["floating_ip"]
    resp = _action(cloud, alice["headers"], server["id"], {"addFloatingIp": {
        "address": mine["ip"], "fixed_address": "10.255.255.1"}})
    assert resp.status_code == 400
    assert "not assigned to instance" in resp.json()["badRequest"]["message"]
    assert _action(cloud, alice["headers"], server["id"], {"addFloatingIp": {
        "address": "not-an-ip"}}).status_code == 400
    # The pool runs dry: six addresses, two taken.
    for _ in range(4):
        assert _allocate(cloud, cloud.headers()).status_code == 200
    resp = _allocate(cloud, cloud.headers())
    assert resp.status_code == 404
    assert resp.json()["itemNotFound"]["message"] == "No more floating IPs in pool public."
    assert _allocate(cloud, alice["headers"], "nowhere").status_code == 404
    for bad in ("18446744073709551616", "0", "x"):
        assert cloud.compute.get(f"/v2.1/os-floating-ips/{bad}",
                                 headers=_h(alice["headers"])).status_code == 404
    assert len(cloud.compute.get("/v2.1/os-floating-ips", headers=_h(alice["headers"])
                                 ).json()["floating_ips"]) == 1
    # Nothing of the nova-network API from 2.36 on, and no add/remove action from 2.44.
    assert cloud.compute.get("/v2.1/os-floating-ips", headers=_h(
        alice["headers"], "2.36")).status_code == 404
    assert _action(cloud, alice["headers"], server["id"], {"addFloatingIp": {
        "address": mine["ip"]}}, "2.44").status_code == 404


def test_quota_limits_a_projects_floating_ips(cloud: Cloud, pool: str) -> None:
    user = cloud.make_user()
    admin = _h(cloud.headers())
    resp = cloud.compute.put(f"/v2.1/os-quota-sets/{user['project_id']}", headers=admin,
                             json={"quota_set": {"floating_ips": 1}})
    assert resp.status_code == 200, resp.text
    assert _allocate(cloud, user["headers"]).status_code == 200
    resp = _allocate(cloud, user["headers"])
    assert resp.status_code == 403, resp.text
    assert "floating_ips" in resp.json()["forbidden"]["message"]
    detail = cloud.compute.get(f"/v2.1/os-quota-sets/{user['project_id']}/detail",
                               headers=admin).json()["quota_set"]["floating_ips"]
    assert (detail["in_use"], detail["limit"]) == (1, 1)


def test_deleting_a_server_releases_its_floating_ip_association(cloud: Cloud,
                                                                pool: str) -> None:
    member = cloud.make_user()["headers"]
    fip = _allocate(cloud, member).json()["floating_ip"]
    server = _server(cloud, member)
    assert _action(cloud, member, server["id"], {"addFloatingIp": {
        "address": fip["ip"]}}).status_code == 202
    busy = cloud.compute.put("/v2.1/os-floating-ips-bulk/delete", headers=_h(cloud.headers()),
                             json={"ip_range": "203.0.113.0/29"})
    assert busy.status_code == 409, busy.text
    _eventually(lambda: _driver(cloud).floating.get("pub0") == [fip["ip"]])
    assert cloud.compute.delete(f"/v2.1/servers/{server['id']}",
                                headers=member).status_code == 204
    cloud.wait_until_gone(member, server["id"])
    # Its host lets go of the address at once: a reused fixed IP must not inherit it.
    _eventually(lambda: _driver(cloud).floating.get("pub0") == [])
    assert _driver(cloud).chain("nat", "stratus-float-in") == []
    after = cloud.compute.get(f"/v2.1/os-floating-ips/{fip['id']}", headers=_h(member)).json()
    assert after["floating_ip"]["instance_id"] is None  # still the project's
    listed = cloud.compute.get("/v2.1/os-floating-ips-bulk", headers=_h(cloud.headers())
                               ).json()["floating_ip_info"]
    assert len(listed) == 6 and {f["interface"] for f in listed} == {"pub0"}


def test_auto_assigned_floating_ips_come_and_go_with_their_servers(cloud: Cloud) -> None:
    admin = _h(cloud.headers())
    assert cloud.compute.post("/v2.1/os-floating-ips-bulk", headers=admin, json={
        "floating_ips_bulk_create": {"ip_range": "198.51.100.8/30", "pool": "nova",
                                     "interface": "pub0"}}).status_code == 200
    member = cloud.make_user()["headers"]
    CONF.set_override("auto_assign_floating_ip", True, group="network")
    try:
        server = _server(cloud, member)
    finally:
        CONF.clear_override("auto_assign_floating_ip", group="network")
    floating = [a["addr"] for items in server["addresses"].values() for a in items
                if a["OS-EXT-IPS:type"] == "floating"]
    assert floating == ["198.51.100.9"]
    _eventually(lambda: _driver(cloud).floating.get("pub0") == floating)
    assert cloud.compute.delete(f"/v2.1/servers/{server['id']}",
                                headers=member).status_code == 204
    cloud.wait_until_gone(member, server["id"])
    # Back in the pool, no longer the project's.
    info = cloud.compute.get("/v2.1/os-floating-ips-bulk", headers=admin).json()
    assert [(f["address"], f["project_id"]) for f in info["floating_ip_info"]] == [
        ("198.51.100.9", None), ("198.51.100.10", None)]
