"""nova-network's APIs as a client sees them: /os-networks (and its actions),
/os-tenant-networks, /os-fixed-ips and /servers/{id}/os-virtual-interfaces, and the
`stratus network|project|fixed` admin commands."""
from __future__ import annotations

import ipaddress
from typing import Any

import typer
from typer.testing import CliRunner

from conductor import network_cli
from tests.functional.conftest import Cloud
from tests.functional.microversions import at

BASIC = {"id", "cidr", "netmask", "gateway", "broadcast", "dns1", "dns2", "cidr_v6",
         "gateway_v6", "label", "netmask_v6"}
ADMIN = BASIC | {"created_at", "updated_at", "deleted_at", "deleted", "injected", "bridge",
                 "vlan", "vpn_public_address", "vpn_public_port", "vpn_private_address",
                 "dhcp_start", "project_id", "host", "bridge_interface", "multi_host",
                 "priority", "rxtx_base", "mtu", "dhcp_server", "enable_dhcp",
                 "share_address"}


def _create(cloud: Cloud, headers: dict[str, str], **network: Any) -> Any:
    return cloud.compute.post("/v2.1/os-networks", headers=headers,
                              json={"network": network})


def _message(resp: Any) -> str:
    return str(next(iter(resp.json().values()))["message"])


def test_networks_are_created_by_admins_and_listed_with_the_caller_s_fields(
        cloud: Cloud) -> None:
    admin = cloud.headers()
    created = _create(cloud, admin, label="net-a", cidr="10.20.0.0/24", dns1="8.8.8.8",
                      vlan_start=42, multi_host="false", mtu=1400)
    assert created.status_code == 200, created.text
    net = created.json()["network"]
    assert set(net) == ADMIN
    assert (net["label"], net["cidr"], net["netmask"], net["gateway"], net["broadcast"],
            net["dhcp_start"], net["dhcp_server"], net["dns1"], net["vlan"], net["mtu"],
            net["project_id"], net["deleted"], net["multi_host"], net["injected"]) == (
        "net-a", "10.20.0.0/24", "255.255.255.0", "10.20.0.1", "10.20.0.255", "10.20.0.2",
        "10.20.0.1", "8.8.8.8", 42, 1400, None, False, False, False)
    assert net["created_at"].endswith(".000000") and net["bridge"] == "br42"
    # No VLAN given: VlanManager picks a free segment; the range is all that is needed.
    other = _create(cloud, admin, label="net-b", cidr="10.30.0.0/24")
    assert other.status_code == 200, other.text
    member = cloud.make_user("member")
    private = _create(cloud, admin, label="theirs", cidr="10.31.0.0/24",
                      project_id=member["project_id"]).json()["network"]
    outsider = cloud.make_user("member")

    listed = cloud.compute.get("/v2.1/os-networks", headers=admin)
    assert listed.status_code == 200
    by_label = {n["label"]: n for n in listed.json()["networks"]}
    assert {"net-a", "net-b", "theirs"} <= set(by_label)
    assert all(set(n) == ADMIN for n in by_label.values())
    shown = cloud.compute.get(f"/v2.1/os-networks/{net['id']}", headers=admin).json()
    assert shown == {"network": {**net, "updated_at": shown["network"]["updated_at"]}}

    mine = cloud.compute.get("/v2.1/os-networks", headers=member["headers"]).json()
    assert {"net-a", "net-b", "theirs"} <= {n["label"] for n in mine["networks"]}
    assert all(set(n) == BASIC for n in mine["networks"])
    basic = cloud.compute.get(f"/v2.1/os-networks/{net['id']}", headers=member["headers"])
    assert basic.status_code == 200 and basic.json()["network"] == {k: net[k] for k in BASIC}
    theirs = cloud.compute.get("/v2.1/os-networks", headers=outsider["headers"]).json()
    assert "theirs" not in {n["label"] for n in theirs["networks"]}
    hidden = cloud.compute.get(f"/v2.1/os-networks/{private['id']}",
                               headers=outsider["headers"])
    assert hidden.status_code == 404
    assert _message(hidden) == f"Network {private['id']} could not be found."
    reader = cloud.make_user("reader", project=member["project_name"])["headers"]
    assert cloud.compute.get("/v2.1/os-networks", headers=reader).status_code == 200

    for path in ("/v2.1/os-networks", f"/v2.1/os-networks/{net['id']}"):
        assert cloud.compute.get(path, headers=at(admin, 35)).status_code == 200
        assert cloud.compute.get(path, headers=at(admin, 36)).status_code == 404
    assert _create(cloud, at(admin, 36), label="x", cidr="10.99.0.0/24").status_code == 404


def test_bad_network_creates_are_refused(cloud: Cloud) -> None:
    admin = cloud.headers()
    assert _create(cloud, admin, label="base", cidr="10.50.0.0/24").status_code == 200
    overlap = _create(cloud, admin, label="clash", cidr="10.50.0.128/25")
    assert overlap.status_code == 400
    assert "conflicts with existing network base (10.50.0.0/24)" in _message(overlap)
    for body, text in (({"cidr": "10.0.0.300/24"}, "Invalid CIDR"),
                       ({"cidr": "banana"}, "Invalid CIDR"),
                       ({"cidr": "10.60.0.0/30"}, "too small"),
                       ({"cidr_v6": "fd00:1::/64"}, "IPv4 range"),
                       ({"cidr": "10.61.0.0/24", "gateway": "10.62.0.1"}, "not in"),
                       ({"cidr": "10.61.0.0/24", "vlan": "abc"}, "vlan"),
                       ({"cidr": "10.61.0.0/24", "dns1": "not-an-ip"}, "dns1"),
                       ({"cidr": "10.61.0.0/24", "colour": "red"}, "colour"),
                       ({}, "not valid under any of the given schemas")):
        resp = _create(cloud, admin, label="bad", **body)
        assert resp.status_code == 400, (body, resp.text)
        assert "badRequest" in resp.json() and text in _message(resp), (body, resp.text)
    no_label = cloud.compute.post("/v2.1/os-networks", headers=admin,
                                  json={"network": {"cidr": "10.63.0.0/24"}})
    assert no_label.status_code == 400
    member = cloud.make_user("member")["headers"]
    refused = _create(cloud, member, label="mine", cidr="10.64.0.0/24")
    assert refused.status_code == 403 and "forbidden" in refused.json()
    listed = cloud.compute.get("/v2.1/os-networks", headers=admin).json()["networks"]
    assert [n["label"] for n in listed] == ["base"]


def test_a_server_on_a_network_its_interfaces_fixed_ips_and_the_network_s_delete(
        cloud: Cloud) -> None:
    admin = cloud.headers()
    net = _create(cloud, admin, label="web", cidr="10.70.0.0/24").json()["network"]
    member = cloud.make_user("member")
    image = cloud.create_image(admin, visibility="public")
    sid = cloud.boot(member["headers"], image["id"], networks=[{"uuid": net["id"]}])["id"]
    server = cloud.wait_for_server(member["headers"], sid)
    assert server["status"] == "ACTIVE"
    [address] = server["addresses"]["web"]
    assert ipaddress.ip_address(address["addr"]) in ipaddress.ip_network("10.70.0.0/24")
    assert (address["version"], address["OS-EXT-IPS:type"]) == (4, "fixed")
    mac = address["OS-EXT-IPS-MAC:mac_addr"]

    vifs = f"/v2.1/servers/{sid}/os-virtual-interfaces"
    listed = cloud.compute.get(vifs, headers=at(member["headers"], 12))
    assert listed.status_code == 200
    [vif] = listed.json()["virtual_interfaces"]
    assert set(vif) == {"id", "mac_address", "net_id"}
    assert (vif["mac_address"], vif["net_id"]) == (mac, net["id"])
    old = cloud.compute.get(vifs, headers=member["headers"]).json()
    assert old == {"virtual_interfaces": [{"id": vif["id"], "mac_address": mac}]}
    assert cloud.compute.get(vifs, headers=at(member["headers"], 43)).status_code == 200
    assert cloud.compute.get(vifs, headers=at(member["headers"], 44)).status_code == 404
    assert cloud.compute.get(vifs, params={"offset": 1},
                             headers=member["headers"]).json() == {"virtual_interfaces": []}
    outsider = cloud.make_user("member")["headers"]
    assert cloud.compute.get(vifs, headers=outsider).status_code == 404

    detail = cloud.compute.get(f"/v2.1/servers/{sid}", headers=at(admin, 3)).json()["server"]
    fixed = f"/v2.1/os-fixed-ips/{address['addr']}"
    shown = cloud.compute.get(fixed, headers=at(admin, 4))
    assert shown.status_code == 200
    assert shown.json() == {"fixed_ip": {
        "address": address["addr"], "cidr": "10.70.0.0/24",
        "hostname": detail["OS-EXT-SRV-ATTR:hostname"],
        "host": detail["OS-EXT-SRV-ATTR:host"], "reserved": False}}
    assert detail["OS-EXT-SRV-ATTR:host"] == "testhost"
    assert "reserved" not in cloud.compute.get(fixed, headers=admin).json()["fixed_ip"]
    assert cloud.compute.get(fixed, headers=member["headers"]).status_code == 403
    assert cloud.compute.get("/v2.1/os-fixed-ips/10.70.0.999",
                             headers=admin).status_code == 400
    assert cloud.compute.get("/v2.1/os-fixed-ips/192.168.77.5",
                             headers=admin).status_code == 404
    assert cloud.compute.get(fixed, headers=at(admin, 36)).status_code == 404

    taken = cloud.compute.post(f"{fixed}/action", headers=admin, json={"reserve": None})
    assert taken.status_code == 409 and sid in _message(taken)
    free = "/v2.1/os-fixed-ips/10.70.0.50"
    assert cloud.compute.post(f"{free}/action", headers=admin,
                              json={"reserve": None}).status_code == 202
    got = cloud.compute.get(free, headers=at(admin, 4)).json()["fixed_ip"]
    assert got == {"address": "10.70.0.50", "cidr": "10.70.0.0/24", "hostname": None,
                   "host": None, "reserved": True}
    assert cloud.compute.post(f"{free}/action", headers=admin,
                              json={"unreserve": None}).status_code == 202
    assert cloud.compute.get(free, headers=at(admin, 4)).json()["fixed_ip"]["reserved"] \
        is False
    for bad in ({"reserve": 1}, {"explode": None}, {"reserve": None, "unreserve": None}):
        assert cloud.compute.post(f"{free}/action", headers=admin,
                                  json=bad).status_code == 400, bad
    assert cloud.compute.post(f"{free}/action", headers=member["headers"],
                              json={"reserve": None}).status_code == 403

    in_use = cloud.compute.delete(f"/v2.1/os-networks/{net['id']}", headers=admin)
    assert in_use.status_code == 409
    assert _message(in_use) == (f"Conflict: Network {net['id']} is still in use: 1 fixed "
                                f"IP(s) are allocated to servers.")
    assert cloud.compute.get(f"/v2.1/os-networks/{net['id']}", headers=admin).status_code \
        == 200
    again = cloud.wait_for_server(member["headers"], sid)
    assert again["addresses"] == server["addresses"]
    assert cloud.compute.get(fixed, headers=at(admin, 4)).json()["fixed_ip"]["host"] \
        == "testhost"

    assert cloud.compute.delete(f"/v2.1/servers/{sid}",
                                headers=member["headers"]).status_code == 204
    cloud.wait_until_gone(member["headers"], sid)
    assert cloud.compute.get(fixed, headers=at(admin, 4)).json()["fixed_ip"]["hostname"] \
        is None
    gone = cloud.compute.delete(f"/v2.1/os-networks/{net['id']}", headers=admin)
    assert gone.status_code == 202 and gone.content == b""
    assert cloud.compute.get(f"/v2.1/os-networks/{net['id']}",
                             headers=admin).status_code == 404
    assert cloud.compute.delete(f"/v2.1/os-networks/{net['id']}",
                                headers=admin).status_code == 404


def test_network_actions_associate_and_disassociate_projects_and_hosts(
        cloud: Cloud) -> None:
    admin = cloud.headers()
    net = _create(cloud, admin, label="pool", cidr="10.80.0.0/24").json()["network"]
    url = f"/v2.1/os-networks/{net['id']}"

    def shown() -> dict[str, Any]:
        return cloud.compute.get(url, headers=admin).json()["network"]

    def act(body: Any, headers: dict[str, str] = admin) -> int:
        return cloud.compute.post(f"{url}/action", headers=headers, json=body).status_code

    assert act({"associate_host": "testhost"}) == 202 and shown()["host"] == "testhost"
    assert act({"disassociate_host": None}) == 202 and shown()["host"] is None
    added = cloud.compute.post("/v2.1/os-networks/add", headers=admin, json={"id": net["id"]})
    assert added.status_code == 202
    assert shown()["project_id"] == cloud.admin_project_id
    assert act({"disassociate_project": None}) == 202 and shown()["project_id"] is None
    act({"associate_host": "testhost"})
    cloud.compute.post("/v2.1/os-networks/add", headers=admin, json={"id": net["id"]})
    assert act({"disassociate": None}) == 202
    assert (shown()["project_id"], shown()["host"]) == (None, None)
    unknown = cloud.compute.post("/v2.1/os-networks/add", headers=admin,
                                 json={"id": "8c1ea6f1-4a5c-4d4f-9f3e-000000000000"})
    assert unknown.status_code == 400
    for bad in ({"associate_host": "bad host!"}, {"associate_host": None},
                {"frobnicate": None}, {}, {"disassociate": None, "disassociate_host": None}):
        assert act(bad) == 400, bad
    missing = "/v2.1/os-networks/8c1ea6f1-4a5c-4d4f-9f3e-000000000000/action"
    assert cloud.compute.post(missing, headers=admin,
                              json={"disassociate": None}).status_code == 404
    member = cloud.make_user("member")["headers"]
    assert act({"associate_host": "testhost"}, member) == 403
    assert act({"disassociate": None}, member) == 403
    assert cloud.compute.post("/v2.1/os-networks/add", headers=member,
                              json={"id": net["id"]}).status_code == 403
    assert act({"disassociate": None}, at(admin, 36)) == 404


def test_tenant_networks_are_the_project_s_own_and_the_shared_ones(cloud: Cloud) -> None:
    admin = cloud.headers()
    shared = _create(cloud, admin, label="shared", cidr="10.90.0.0/24").json()["network"]
    member = cloud.make_user("member")
    h = member["headers"]
    created = cloud.compute.post("/v2.1/os-tenant-networks", headers=h, json={"network": {
        "label": "mine", "cidr": "10.91.0.0/24", "vlan_start": 7, "num_networks": 1,
        "network_size": 256}})
    assert created.status_code == 200, created.text
    mine = created.json()["network"]
    assert set(mine) == {"id", "cidr", "label"}
    assert (mine["cidr"], mine["label"]) == ("10.91.0.0/24", "mine")
    owned = cloud.compute.get(f"/v2.1/os-networks/{mine['id']}", headers=admin).json()
    assert (owned["network"]["project_id"], owned["network"]["vlan"]) == \
        (member["project_id"], 7)

    listed = cloud.compute.get("/v2.1/os-tenant-networks", headers=h)
    assert listed.status_code == 200
    assert sorted(listed.json()["networks"], key=lambda n: n["label"]) == [
        mine, {"id": shared["id"], "cidr": "10.90.0.0/24", "label": "shared"}]
    assert cloud.compute.get(f"/v2.1/os-tenant-networks/{mine['id']}", headers=h).json() \
        == {"network": mine}
    other = cloud.make_user("member")["headers"]
    assert mine not in cloud.compute.get("/v2.1/os-tenant-networks",
                                         headers=other).json()["networks"]
    assert cloud.compute.get(f"/v2.1/os-tenant-networks/{mine['id']}",
                             headers=other).status_code == 404
    assert cloud.compute.delete(f"/v2.1/os-tenant-networks/{mine['id']}",
                                headers=other).status_code == 404
    refused = cloud.compute.delete(f"/v2.1/os-tenant-networks/{shared['id']}", headers=h)
    assert refused.status_code == 403

    for bad in ({"label": "x", "cidr": "10.91.0.0/25"}, {"label": "x", "cidr": "nope"},
                {"label": "x"}, {"label": "x", "cidr": "10.92.0.0/24", "num_networks": 2},
                {"label": "x", "cidr": "10.92.0.0/24", "bridge": "br9"}):
        resp = cloud.compute.post("/v2.1/os-tenant-networks", headers=h,
                                  json={"network": bad})
        assert resp.status_code == 400, (bad, resp.text)
    reader = cloud.make_user("reader", project=member["project_name"])["headers"]
    assert cloud.compute.get("/v2.1/os-tenant-networks", headers=reader).status_code == 200
    assert cloud.compute.post("/v2.1/os-tenant-networks", headers=reader, json={
        "network": {"label": "r", "cidr": "10.93.0.0/24"}}).status_code == 403
    assert cloud.compute.get("/v2.1/os-tenant-networks",
                             headers=at(h, 36)).status_code == 404

    deleted = cloud.compute.delete(f"/v2.1/os-tenant-networks/{mine['id']}", headers=h)
    assert deleted.status_code == 202
    assert cloud.compute.get(f"/v2.1/os-tenant-networks/{mine['id']}",
                             headers=h).status_code == 404


def test_admin_commands_create_list_delete_networks_and_reserve_addresses(
        cloud: Cloud) -> None:
    app = typer.Typer()
    network_cli.register(app)
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, list(args))

    made = run("network", "create", "--label", "cli-net", "--fixed-range-v4",
               "10.100.0.0/24", "--vlan", "300", "--dns1", "1.1.1.1", "--multi-host",
               "--project", "admin", "--mtu", "1500")
    assert made.exit_code == 0, made.output
    assert "Created network cli-net" in made.output and "bridge br300" in made.output
    admin = cloud.headers()
    [net] = cloud.compute.get("/v2.1/os-networks", headers=admin).json()["networks"]
    assert (net["label"], net["vlan"], net["dns1"], net["multi_host"], net["mtu"],
            net["project_id"]) == ("cli-net", 300, "1.1.1.1", True, 1500,
                                   cloud.admin_project_id)
    table = run("network", "list")
    assert table.exit_code == 0
    header, row = table.output.splitlines()
    assert header.split()[:3] == ["UUID", "Label", "CIDR"]
    assert row.split() == [net["id"], "cli-net", "10.100.0.0/24", "br300", "vlan", "300",
                           cloud.admin_project_id]

    for args, text in ((("network", "create", "--label", "x", "--fixed-range-v4",
                         "10.100.0.0/25"), "conflicts with existing network cli-net"),
                       (("network", "create", "--label", "x", "--fixed-range-v4", "nope"),
                        "Invalid CIDR"),
                       (("network", "create", "--label", "x", "--fixed-range-v4",
                         "10.101.0.0/24", "--vlan", "1", "--vni", "2"), "not both"),
                       (("network", "create", "--label", "x", "--fixed-range-v4",
                         "10.101.0.0/24", "--project", "ghost"), "Project ghost not found"),
                       (("network", "delete", "ghost"), "Network ghost could not be found"),
                       (("fixed", "reserve", "--address", "10.200.0.1"), "not found"),
                       (("fixed", "reserve", "--address", "nope"), "is invalid")):
        failed = run(*args)
        assert failed.exit_code == 1, (args, failed.output)
        assert "Traceback" not in failed.output and text in failed.output, failed.output
        assert len(failed.output.strip().splitlines()) == 1, failed.output

    assert run("fixed", "reserve", "--address", "10.100.0.9").exit_code == 0
    shown = cloud.compute.get("/v2.1/os-fixed-ips/10.100.0.9", headers=at(admin, 4)).json()
    assert shown["fixed_ip"]["reserved"] is True
    assert run("fixed", "unreserve", "--address", "10.100.0.9").exit_code == 0
    shown = cloud.compute.get("/v2.1/os-fixed-ips/10.100.0.9", headers=at(admin, 4)).json()
    assert shown["fixed_ip"]["reserved"] is False

    image = cloud.create_image(admin, visibility="public")
    sid = cloud.boot(admin, image["id"], networks=[{"uuid": net["id"]}])["id"]
    assert cloud.wait_for_server(admin, sid)["status"] == "ACTIVE"
    in_use = run("network", "delete", "cli-net")
    assert in_use.exit_code == 1 and "is still in use" in in_use.output, in_use.output
    assert "Traceback" not in in_use.output
    scrub = run("project", "scrub", "--project", "admin")
    assert scrub.exit_code == 1 and "is still in use" in scrub.output
    cloud.compute.delete(f"/v2.1/servers/{sid}", headers=admin)
    cloud.wait_until_gone(admin, sid)
    deleted = run("network", "delete", "cli-net")
    assert deleted.exit_code == 0 and f"Deleted network cli-net ({net['id']})" in \
        deleted.output
    assert cloud.compute.get("/v2.1/os-networks", headers=admin).json() == {"networks": []}

    run("network", "create", "--label", "p1", "--fixed-range-v4", "10.102.0.0/24",
        "--project", "admin")
    run("network", "create", "--label", "p2", "--fixed-range-v4", "10.103.0.0/24",
        "--project", "admin")
    scrubbed = run("project", "scrub", "--project", cloud.admin_project_id)
    assert scrubbed.exit_code == 0 and "Deleted 2 network(s)" in scrubbed.output
    assert run("network", "list").output.strip().splitlines()[1:] == []
