"""Servers get networks (seed 5.3) on the fake data plane: NICs and fixed IPs allocated at
build and shown in `addresses`, released on delete, the network agent's bridges and DHCP
hosts, VlanManager's per-project networks, multinic, requested and exhausted addresses."""
from __future__ import annotations

import ipaddress
import time
from typing import Any

import pytest

from conductor import rpcapi as conductor_rpcapi
from network_agent.fake_net import FakeNetDriver
from network_agent.manager import NetworkManager
from stratus.config import CONF
from stratus.context import get_admin_context
from tests.functional.conftest import Cloud

V = "2.47"


def _agent(cloud: Cloud, host: str | None = None) -> FakeNetDriver:
    for service in cloud.services:
        for endpoint in service.endpoints:
            if isinstance(endpoint, NetworkManager) and endpoint.host == (host or CONF.host):
                assert isinstance(endpoint.driver, FakeNetDriver)
                return endpoint.driver
    raise AssertionError("no network agent")


def _network(cidr: str, label: str, **values: Any) -> dict[str, Any]:
    return conductor_rpcapi.client().network_create(
        get_admin_context(), values={"label": label, "cidr": cidr, **values})


def _server(cloud: Cloud, headers: dict[str, str], image: str, **extra: Any) -> dict[str, Any]:
    sid = cloud.boot(headers, image, version=V, **extra)["id"]
    return cloud.wait_for_server(headers, sid)


def _fixed(server: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(label, a["addr"], a["OS-EXT-IPS-MAC:mac_addr"])
            for label, items in server["addresses"].items() for a in items
            if a["OS-EXT-IPS:type"] == "fixed"]


def test_vlan_manager_gives_each_project_its_own_network(cloud: Cloud) -> None:
    image = cloud.create_image(cloud.headers(), visibility="public")["id"]
    alice, bob = cloud.make_user(), cloud.make_user()
    a1 = _server(cloud, alice["headers"], image, networks="auto")
    a2 = _server(cloud, alice["headers"], image, networks="auto")
    b1 = _server(cloud, bob["headers"], image, networks="auto")
    for server in (a1, a2, b1):
        assert server["status"] == "ACTIVE", server
    (label_a, ip_a1, mac_a1), = _fixed(a1)
    (_, ip_a2, _), = _fixed(a2)
    (label_b, ip_b1, _), = _fixed(b1)
    assert label_a == label_b == "private"
    assert mac_a1.startswith("fa:16:3e:")
    nets = {n["project_id"]: n for n in conductor_rpcapi.client().network_list(
        get_admin_context())}
    net_a, net_b = nets[alice["project_id"]], nets[bob["project_id"]]
    assert {ip_a1, ip_a2} <= set(map(str, ipaddress.ip_network(net_a["cidr"]).hosts()))
    assert ip_a1 != ip_a2
    assert ipaddress.ip_address(ip_b1) in ipaddress.ip_network(net_b["cidr"])
    assert not ipaddress.ip_network(net_a["cidr"]).overlaps(ipaddress.ip_network(net_b["cidr"]))
    assert net_a["vni"] != net_b["vni"] and net_a["bridge"] != net_b["bridge"]
    # The agent plumbed one bridge per project, the gateway on it, DHCP for each server
    # (the cloud fixture has one host: both projects are on it).
    driver = _agent(cloud)
    assert driver.bridges[net_a["bridge"]].addresses == [f"{net_a['gateway']}/24"]
    hosts = {(h.mac, h.ip) for h in driver.dhcp[net_a["uuid"]].hosts}
    assert (mac_a1, ip_a1) in hosts and len(hosts) == 2
    # Nothing is forwarded between the two projects' bridges.
    a, b = net_a["bridge"], net_b["bridge"]
    assert set(driver.chain("filter", "stratus-isolate") or []) >= {
        f"-i {a} -o {b} -j DROP", f"-i {b} -o {a} -j DROP"}
    assert driver.jumps("filter", "FORWARD") == ["-j stratus-spoof", "-j stratus-isolate",
                                                 "-j stratus-ports"]
    assert driver.jumps("filter", "INPUT") == ["-j stratus-spoof"]


def test_addresses_are_released_on_delete_and_shown_everywhere(cloud: Cloud,
                                                               flat_dhcp: None) -> None:
    admin = cloud.headers()
    net = _network("192.168.50.0/24", "flat", bridge="br100")
    image = cloud.create_image(admin)["id"]
    server = _server(cloud, admin, image, networks=[{"uuid": net["uuid"]}])
    (label, ip, mac), = _fixed(server)
    assert (label, ip) == ("flat", "192.168.50.2")
    ips = cloud.compute.get(f"/v2.1/servers/{server['id']}/ips", headers=admin).json()
    assert ips == {"addresses": {"flat": [{"version": 4, "addr": ip}]}}
    assert cloud.compute.get(f"/v2.1/servers/{server['id']}/ips/flat",
                             headers=admin).json() == {"flat": [{"version": 4, "addr": ip}]}
    assert cloud.compute.get(f"/v2.1/servers/{server['id']}/ips/other",
                             headers=admin).status_code == 404
    listed = cloud.compute.get("/v2.1/servers/detail", headers=admin).json()["servers"]
    assert [s["addresses"] for s in listed if s["id"] == server["id"]] == [server["addresses"]]
    assert conductor_rpcapi.client().virtual_interface_list(
        get_admin_context(), instance_uuid=server["id"]) == [
        {"id": server_vif(server), "mac_address": mac, "net_id": net["uuid"]}]
    assert cloud.compute.delete(f"/v2.1/servers/{server['id']}", headers=admin).status_code == 204
    cloud.wait_until_gone(admin, server["id"])
    again = _server(cloud, admin, image, networks=[{"uuid": net["uuid"]}])
    assert _fixed(again)[0][1] == "192.168.50.2"  # the address came back to the pool


def server_vif(server: dict[str, Any]) -> str:
    return str(conductor_rpcapi.client().instance_get(
        get_admin_context(), instance_uuid=server["id"])["network_info"][0]["id"])


def test_multinic_server_gets_a_nic_per_network_in_order(cloud: Cloud, flat_dhcp: None) -> None:
    admin = cloud.headers()
    first = _network("192.168.60.0/24", "first", bridge="br60")
    second = _network("192.168.61.0/24", "second", bridge="br61")
    image = cloud.create_image(admin)["id"]
    server = _server(cloud, admin, image, networks=[
        {"uuid": second["uuid"]}, {"uuid": first["uuid"], "fixed_ip": "192.168.60.77"}])
    assert server["status"] == "ACTIVE"
    info = conductor_rpcapi.client().instance_get(
        get_admin_context(), instance_uuid=server["id"])["network_info"]
    assert [v["network"]["label"] for v in info] == ["second", "first"]
    assert [(label, ip) for label, ip, _ in _fixed(server)] == [
        ("second", "192.168.61.2"), ("first", "192.168.60.77")]
    assert len({mac for *_, mac in _fixed(server)}) == 2


def test_bad_requested_networks_are_400s_and_create_nothing(cloud: Cloud,
                                                             flat_dhcp: None) -> None:
    admin = cloud.headers()
    net = _network("192.168.70.0/24", "seventy", bridge="br70")
    image = cloud.create_image(admin)["id"]
    taken = _server(cloud, admin, image, networks=[{"uuid": net["uuid"]}])
    taken_ip = _fixed(taken)[0][1]
    before = len(cloud.compute.get("/v2.1/servers", headers=admin).json()["servers"])
    for networks, message in (
            ([{"uuid": net["uuid"], "fixed_ip": "10.9.9.9"}],
             f"Fixed IP address (10.9.9.9) does not exist in network ({net['uuid']})."),
            ([{"uuid": net["uuid"], "fixed_ip": taken_ip}],
             f"Fixed IP address {taken_ip} is already in use on instance {taken['id']}."),
            ([{"uuid": net["uuid"], "fixed_ip": "192.168.70.1"}],
             "does not exist in network"),  # the gateway
            ([{"uuid": net["uuid"]}, {"uuid": net["uuid"]}], "Duplicate networks")):
        resp = cloud.compute.post("/v2.1/servers", headers={
            **admin, "OpenStack-API-Version": f"compute {V}"}, json={"server": {
                "name": "bad", "imageRef": image, "flavorRef": "1", "networks": networks}})
        assert resp.status_code == 400, resp.text
        assert message in resp.json()["badRequest"]["message"]
    assert len(cloud.compute.get("/v2.1/servers", headers=admin).json()["servers"]) == before


def test_a_full_network_ends_the_build_in_error_saying_so(cloud: Cloud,
                                                          flat_dhcp: None) -> None:
    admin = cloud.headers()
    net = _network("192.168.80.0/29", "tiny", bridge="br80")  # .2 to .6: five addresses
    image = cloud.create_image(admin)["id"]
    for _ in range(5):
        assert _server(cloud, admin, image, networks=[{"uuid": net["uuid"]}])[
            "status"] == "ACTIVE"
    full = _server(cloud, admin, image, networks=[{"uuid": net["uuid"]}])
    assert full["status"] == "ERROR"
    assert f"No fixed IP addresses available for network: {net['uuid']}" in \
        full["fault"]["message"]
    assert full["addresses"] == {}


def test_flat_manager_uses_the_admins_bridge_and_gives_a_config_drive(
        cloud: Cloud, flat_dhcp: None) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)["id"]
    leased = _network("192.168.95.0/24", "leased", bridge="br95")
    CONF.set_override("manager", "FlatManager", group="network")
    static = _network("192.168.96.0/24", "static", bridge="br96")
    with_dhcp = _server(cloud, admin, image, networks=[{"uuid": leased["uuid"]}])
    without = _server(cloud, admin, image, networks=[{"uuid": static["uuid"]}])
    assert with_dhcp["status"] == without["status"] == "ACTIVE"
    # Its address reaches the guest only on a config drive: it has one, unasked.
    assert (with_dhcp["config_drive"], without["config_drive"]) == ("", "True")
    # The agent left the admin's bridge alone (no bridge made, no address, no DHCP).
    driver = _agent(cloud)
    assert "br96" not in driver.bridges and static["uuid"] not in driver.dhcp
    assert "br95" in driver.bridges and leased["uuid"] in driver.dhcp


def test_networks_none_gives_no_nic(cloud: Cloud) -> None:
    admin = cloud.headers()
    server = _server(cloud, admin, cloud.create_image(admin)["id"], networks="none")
    assert server["status"] == "ACTIVE" and server["addresses"] == {}


def test_agent_restart_rebuilds_its_plumbing_from_the_database(cloud: Cloud,
                                                               flat_dhcp: None) -> None:
    admin = cloud.headers()
    net = _network("192.168.90.0/24", "ninety", bridge="br90")
    server = _server(cloud, admin, cloud.create_image(admin)["id"],
                     networks=[{"uuid": net["uuid"]}])
    (_, ip, mac), = _fixed(server)
    fresh = NetworkManager(CONF.host, FakeNetDriver(None))
    fresh.init_host()
    assert fresh.driver.bridges["br90"].addresses == ["192.168.90.1/24"]
    assert [(h.mac, h.ip) for h in fresh.driver.dhcp[net["uuid"]].hosts] == [(mac, ip)]


def test_rebuild_and_actions_keep_the_servers_addresses(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)["id"]
    server = _server(cloud, admin, image, networks="auto")
    url = f"/v2.1/servers/{server['id']}"
    resp = cloud.compute.post(f"{url}/action", headers={
        **admin, "OpenStack-API-Version": f"compute {V}"}, json={"rebuild": {"imageRef": image}})
    assert resp.status_code == 202, resp.text
    # Before 2.75 a rebuild answers without the extended attributes (type and MAC).
    assert resp.json()["server"]["addresses"] == {label: [
        {"version": a["version"], "addr": a["addr"]} for a in items]
        for label, items in server["addresses"].items()}
    rebuilt = cloud.wait_for_server(admin, server["id"])
    assert rebuilt["status"] == "ACTIVE" and rebuilt["addresses"] == server["addresses"]


def test_security_group_rules_reach_the_servers_port_chains(cloud: Cloud) -> None:
    user = cloud.make_user()
    headers = {**user["headers"], "OpenStack-API-Version": "compute 2.35"}
    image = cloud.create_image(cloud.headers(), visibility="public")["id"]
    resp = cloud.compute.post("/v2.1/servers", headers=headers, json={"server": {
        "name": "web", "imageRef": image, "flavorRef": "1"}})
    server = cloud.wait_for_server(headers, resp.json()["server"]["id"])
    (_, ip, _), = _fixed(server)
    driver = _agent(cloud)
    vif = server_vif(server).replace("-", "")[:12]
    chain = f"stratus-i-{vif}"
    assert f"-d {ip}/32 -j {chain}" in driver.chain("filter", "stratus-ports")
    assert driver.chain("filter", chain)[-1] == "-j DROP"  # default: no ingress
    groups = cloud.compute.get("/v2.1/os-security-groups", headers=headers).json()
    default = [g for g in groups["security_groups"] if g["name"] == "default"][0]
    rule = cloud.compute.post("/v2.1/os-security-group-rules", headers=headers, json={
        "security_group_rule": {"parent_group_id": default["id"], "ip_protocol": "tcp",
                                "from_port": 80, "to_port": 80, "cidr": "0.0.0.0/0"}})
    assert rule.status_code == 200, rule.text
    allow = "-s 0.0.0.0/0 -p tcp --dport 80 -j ACCEPT"
    deadline = time.monotonic() + 2  # a rule change reaches running servers within 2 s
    while allow not in (driver.chain("filter", chain) or []):
        assert time.monotonic() < deadline, driver.chain("filter", chain)
        time.sleep(0.02)
    assert cloud.compute.delete(f"/v2.1/os-security-group-rules/"
                                f"{rule.json()['security_group_rule']['id']}",
                                headers=headers).status_code == 202
    while allow in (driver.chain("filter", chain) or []):
        assert time.monotonic() < deadline + 2, driver.chain("filter", chain)
        time.sleep(0.02)


def _eventually(condition: Any, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the network agent did not catch up in time"
        time.sleep(0.02)


def test_group_sourced_rules_follow_the_groups_members(cloud: Cloud) -> None:
    user = cloud.make_user()
    headers = {**user["headers"], "OpenStack-API-Version": "compute 2.35"}
    image = cloud.create_image(cloud.headers(), visibility="public")["id"]

    def group(name: str) -> int:
        resp = cloud.compute.post("/v2.1/os-security-groups", headers=headers, json={
            "security_group": {"name": name, "description": name}})
        assert resp.status_code == 200, resp.text
        return int(resp.json()["security_group"]["id"])

    def boot(name: str, groups: list[str]) -> dict[str, Any]:
        resp = cloud.compute.post("/v2.1/servers", headers=headers, json={"server": {
            "name": name, "imageRef": image, "flavorRef": "1",
            "security_groups": [{"name": g} for g in groups]}})
        assert resp.status_code == 202, resp.text
        return cloud.wait_for_server(headers, resp.json()["server"]["id"])

    web, db = group("web"), group("db")
    assert cloud.compute.post("/v2.1/os-security-group-rules", headers=headers, json={
        "security_group_rule": {"parent_group_id": db, "group_id": web, "ip_protocol": "tcp",
                                "from_port": 5432, "to_port": 5432}}).status_code == 200
    database = boot("db", ["db"])
    chain = f"stratus-i-{server_vif(database).replace('-', '')[:12]}"
    driver = _agent(cloud)

    def allowed() -> set[str]:
        return {r.split()[1].removesuffix("/32") for r in driver.chain("filter", chain) or []
                if "--dport 5432" in r}

    assert allowed() == set()
    first = boot("web-1", ["web"])
    _eventually(lambda: allowed() == {_fixed(first)[0][1]})
    second = boot("web-2", ["web"])
    _eventually(lambda: allowed() == {_fixed(first)[0][1], _fixed(second)[0][1]})
    assert cloud.compute.delete(f"/v2.1/servers/{first['id']}",
                                headers=headers).status_code == 204
    _eventually(lambda: allowed() == {_fixed(second)[0][1]})
    # The deleted server's own port is gone from its host's chains at once.
    _eventually(lambda: not any(f"-d {_fixed(first)[0][1]}/32 " in r
                                for r in driver.chain("filter", "stratus-ports") or []))


def _until(check: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_a_moved_server_takes_its_port_chains_with_it(cloud: Cloud) -> None:
    """A cold migration: the destination's agent filters the server's port, the source's
    drops it; a revert brings both back."""
    admin = cloud.headers()
    image = cloud.create_image(admin, visibility="public")["id"]
    server = _server(cloud, admin, image, networks="auto")
    source = server["OS-EXT-SRV-ATTR:host"]
    dest = next(h for h in (CONF.host, f"{CONF.host}-2") if h != source)
    chain = f"stratus-i-{server_vif(server).replace('-', '')[:12]}"

    def filtered_on(host: str) -> bool:
        return _agent(cloud, host).chain("filter", chain) is not None
    assert filtered_on(source) and not filtered_on(dest)
    action = f"/v2.1/servers/{server['id']}/action"
    assert cloud.compute.post(action, headers=admin, json={"migrate": None}).status_code == 202
    cloud.wait_for_server(admin, server["id"], until=("VERIFY_RESIZE",))
    _until(lambda: filtered_on(dest) and not filtered_on(source))
    assert cloud.compute.post(action, headers=admin,
                              json={"revertResize": None}).status_code == 202
    cloud.wait_for_server(admin, server["id"], until=("ACTIVE",))
    _until(lambda: filtered_on(source) and not filtered_on(dest))


def test_agents_vxlan_endpoints_become_the_other_hosts_flood_lists(cloud: Cloud) -> None:
    from stratus import exception
    conductor, ctx = conductor_rpcapi.client(), get_admin_context()
    conductor.network_host_report(ctx, host="far-1", vtep="192.0.2.11")
    conductor.network_host_report(ctx, host="far-2", vtep="192.0.2.12")
    conductor.network_host_report(ctx, host="far-2", vtep="192.0.2.12")  # again: no change
    net = _network("192.168.70.0/24", "tunnelled", vni=700)
    config = conductor.network_config(ctx, network_uuid=net["uuid"], host="far-1")
    assert config["remotes"] == ["192.0.2.12"]  # everyone else's, not its own
    with pytest.raises(exception.Invalid):
        conductor.network_host_report(ctx, host="far-3", vtep="not-an-address")


@pytest.mark.parametrize("cloud", [{"config": {"network": {
    "vlan_interface": "eth1", "use_ipv6": True}}}], indirect=True)
def test_a_multi_host_gateway_is_kept_from_the_other_hosts(cloud: Cloud) -> None:
    """Every host of a multi_host network has its gateway addresses: ARP for them,
    IPv6 neighbour solicitations, router advertisements and DHCP do not cross the
    network's link to the other hosts (ebtables)."""
    admin = cloud.headers()
    net = _network("192.168.80.0/24", "everywhere", bridge="br80", vlan=80, multi_host=True,
                   cidr_v6="fd00:80::/64")
    image = cloud.create_image(admin, visibility="public")["id"]
    assert _server(cloud, admin, image, networks=[{"uuid": net["uuid"]}])["status"] == "ACTIVE"
    driver = _agent(cloud)
    inward = driver.chain("filter", "stratus-local-in", family=0)
    outward = driver.chain("filter", "stratus-local-out", family=0)
    assert f"-i eth1.80 -p ARP --arp-ip-dst {net['gateway']} -j DROP" in inward
    assert "-i eth1.80 -p IPv4 --ip-proto udp --ip-dport 67:68 -j DROP" in inward
    assert f"-o eth1.80 -p ARP --arp-ip-src {net['gateway']} -j DROP" in outward
    assert "-o eth1.80 -p IPv6 --ip6-dst ff02::1:ff00:1 -j DROP" in outward  # fd00:80::1
    assert ("-i eth1.80 -p IPv6 --ip6-proto ipv6-icmp --ip6-icmp-type router-advertisement "
            "-j DROP") in inward
    assert driver.jumps("filter", "FORWARD", family=0) == ["-j stratus-local-in",
                                                           "-j stratus-local-out"]


def test_a_deleted_network_service_leaves_the_other_hosts_flood_lists(cloud: Cloud) -> None:
    """An admin deletes a gone host's network service (os-services): the other agents
    stop flooding their VXLAN networks to its endpoint."""
    conductor, ctx = conductor_rpcapi.client(), get_admin_context()
    for host, vtep in (("near-1", "192.0.2.21"), ("gone-1", "192.0.2.22")):
        conductor.service_report(ctx, host=host, binary="stratus-network", topic="network")
        conductor.network_host_report(ctx, host=host, vtep=vtep)
    net = _network("192.168.71.0/24", "tunnelled-too", vni=701)
    remotes = conductor.network_config(ctx, network_uuid=net["uuid"], host="near-1")["remotes"]
    assert "192.0.2.22" in remotes
    admin = cloud.headers()
    found = cloud.compute.get("/v2.1/os-services?binary=nova-network&host=gone-1",
                              headers=admin).json()["services"]
    assert [s["host"] for s in found] == ["gone-1"]
    assert cloud.compute.delete(f"/v2.1/os-services/{found[0]['id']}",
                                headers=admin).status_code == 204
    remotes = conductor.network_config(ctx, network_uuid=net["uuid"], host="near-1")["remotes"]
    assert "192.0.2.22" not in remotes
