"""Real guests on real networks: the embedded cloud with the libvirt driver and the Linux
network driver, both inside a network namespace this test creates and removes. Guests get
their fixed IPs from the agent's dnsmasq and VlanManager keeps projects apart; addFixedIp
hot-plugs a NIC into a running guest and removeFixedIp unplugs it."""
from __future__ import annotations

import base64
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from compute_agent.virt.libvirt import private_daemon
from stratus_tools.guest import upload
from tests.functional.embedded import EmbeddedCloud
from tests.functional.guest_clouds import Cloud, guest_cloud

pytestmark = pytest.mark.slow
V = {"OpenStack-API-Version": "compute 2.47"}


@pytest.fixture(scope="module")
def net_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    internet: list[str] = []

    def with_internet(netns: str) -> None:
        internet.append(netns.replace("-gn-", "-inet-"))
        _internet(netns, internet[0])
    try:
        with guest_cloud(tmp_path_factory, "gn", 26900,
                         {"OS_NETWORK__PUBLIC_INTERFACE": "pub0"},
                         before_start=with_internet) as found:
            yield found
    finally:
        for ns in internet:
            for pid in subprocess.run(["ip", "netns", "pids", ns], capture_output=True,
                                      text=True).stdout.split():
                subprocess.run(["kill", pid], check=False)
            subprocess.run(["ip", "netns", "del", ns], check=False)


PUBLIC = "203.0.113.1/24"  # the cloud's side of the "internet" link
OUTSIDE = "203.0.113.254"  # a host on the internet


def _internet(netns: str, internet: str) -> None:
    """A second namespace playing the internet, joined to the cloud's by a veth whose
    cloud end (pub0) is the public interface floating IPs are bound on."""
    for argv in (["ip", "netns", "add", internet],
                 ["ip", "link", "add", "pub0", "netns", netns, "type", "veth", "peer", "name",
                  "inet0", "netns", internet],
                 ["ip", "-n", netns, "addr", "add", PUBLIC, "dev", "pub0"],
                 ["ip", "-n", netns, "link", "set", "pub0", "up"],
                 ["ip", "-n", internet, "addr", "add", f"{OUTSIDE}/24", "dev", "inet0"],
                 ["ip", "-n", internet, "link", "set", "inet0", "up"],
                 ["ip", "-n", internet, "link", "set", "lo", "up"]):
        subprocess.run(argv, check=True, capture_output=True)


def _rule(cloud: EmbeddedCloud, client: httpx.Client, protocol: str, low: int,
          high: int, cidr: str = "0.0.0.0/0") -> int:
    """An ingress rule from `cidr` (anywhere) in the project's default group; its id."""
    old = {"OpenStack-API-Version": "compute 2.35"}
    groups = client.get(f"{cloud.compute_url}/v2.1/os-security-groups", headers=old).json()
    default = [g for g in groups["security_groups"] if g["name"] == "default"][0]
    resp = client.post(f"{cloud.compute_url}/v2.1/os-security-group-rules", headers=old,
                       json={"security_group_rule": {
                           "parent_group_id": default["id"], "ip_protocol": protocol,
                           "from_port": low, "to_port": high, "cidr": cidr}})
    assert resp.status_code == 200, resp.text
    return int(resp.json()["security_group_rule"]["id"])


def _diagnostics(netns: str, internet: str) -> str:
    """What the data plane looks like, for a failure message."""
    out = []
    for ns, argv in ((netns, ["iptables-save"]), (netns, ["ip", "-o", "addr"]),
                     (netns, ["ip", "route"]), (internet, ["ip", "-o", "addr"]),
                     (netns, ["sysctl", "net.ipv4.ip_forward"])):
        result = subprocess.run(["ip", "netns", "exec", ns, *argv], capture_output=True,
                                text=True)
        out.append(f"$ {ns}: {' '.join(argv)}\n{result.stdout}{result.stderr}")
    return "\n".join(out)


def _outside(internet: str, *argv: str, timeout: float = 5) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", internet, *argv], capture_output=True,
                          text=True, timeout=timeout + 5)


def _admin(cloud: EmbeddedCloud) -> httpx.Client:
    client, _ = upload.session_from_clouds_yaml(cloud.clouds_yaml)
    client.headers.update(V)
    return client


def _project_client(cloud: EmbeddedCloud, admin: httpx.Client) -> httpx.Client:
    """A member of a new project, with its own token."""
    name = "p-" + uuid.uuid4().hex[:6]
    identity = cloud.identity_url + "/v3"
    project = admin.post(f"{identity}/projects", json={"project": {"name": name}}).json()
    user = admin.post(f"{identity}/users", json={"user": {
        "name": name, "password": "pw-" + name, "default_project_id": project["project"]["id"]}
    }).json()["user"]
    roles = admin.get(f"{identity}/roles?name=member").json()["roles"]
    admin.put(f"{identity}/projects/{project['project']['id']}/users/{user['id']}/roles/"
              f"{roles[0]['id']}")
    token = httpx.post(f"{identity}/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {
            "name": name, "domain": {"id": "default"}, "password": "pw-" + name}}},
        "scope": {"project": {"id": project["project"]["id"]}}}})
    assert token.status_code == 201, token.text
    return httpx.Client(headers={**V, "X-Auth-Token": token.headers["X-Subject-Token"]},
                        timeout=30)


def _image(cloud: EmbeddedCloud, client: httpx.Client) -> str:
    found = client.get(f"{cloud.image_url}/v2/images?name=stratus-test-guest").json()
    image = found["images"][0]
    client.patch(f"{cloud.image_url}/v2/images/{image['id']}", headers={
        "Content-Type": "application/openstack-images-v2.1-json-patch"},
        json=[{"op": "replace", "path": "/visibility", "value": "public"}])
    return str(image["id"])


def _boot(cloud: EmbeddedCloud, client: httpx.Client, name: str, image: str,
          script: str = "", **extra: Any) -> str:
    server: dict[str, Any] = {"name": name, "imageRef": image, "flavorRef": "1",
                              "networks": "auto", "config_drive": True, **extra}
    if script:
        server["user_data"] = base64.b64encode(f"#!/bin/sh\n{script}".encode()).decode()
    resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": server})
    assert resp.status_code == 202, resp.text
    return str(resp.json()["server"]["id"])


def _console_until(cloud: EmbeddedCloud, client: httpx.Client, sid: str, marker: str,
                   timeout: float = 240) -> str:
    url = f"{cloud.compute_url}/v2.1/servers/{sid}/action"
    deadline = time.monotonic() + timeout
    while True:
        resp = client.post(url, json={"os-getConsoleOutput": {}})
        text = str(resp.json().get("output", "")) if resp.status_code == 200 else ""
        if marker in text:
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"no {marker!r} on {sid}'s console:\n{text[-3000:]}")
        time.sleep(1)


def _server(cloud: EmbeddedCloud, client: httpx.Client, sid: str) -> dict[str, Any]:
    return dict(client.get(f"{cloud.compute_url}/v2.1/servers/{sid}").json()["server"])


def _address(server: dict[str, Any]) -> tuple[str, str]:
    (item,), = server["addresses"].values()
    return item["addr"], item["OS-EXT-IPS-MAC:mac_addr"]


def test_guests_lease_their_fixed_ips_and_projects_cannot_reach_each_other(
        net_cloud: Cloud) -> None:
    cloud, daemon = net_cloud
    admin = _admin(cloud)
    image = _image(cloud, admin)
    alice, bob = _project_client(cloud, admin), _project_client(cloud, admin)
    first = _boot(cloud, alice, "alice-1", image)
    text = _console_until(cloud, alice, first, "stratus-guest: ready")
    ip, mac = _address(_server(cloud, alice, first))
    # The lease the guest printed is the address the API shows, with the VXLAN-safe MTU.
    assert f"stratus-guest: dhcp ok iface=eth0 ip={ip}/24 mtu=1450" in text, text
    probe = "".join(f"busybox ping -c 2 -W 2 {target} >/dev/null 2>&1 && echo reach {name} "
                    f"yes || echo reach {name} no\n"
                    for target, name in ((ip, ip), ("$(ip route | awk '/default/ {print $3}')",
                                                    "gateway")))
    # Sent from an address that is not its own, the same ping goes nowhere.
    spoof = ip.rsplit(".", 1)[0] + ".250"
    spoofed = (f"ip addr add {spoof}/24 dev eth0\n"
               f"busybox ping -I {spoof} -c 2 -W 2 {ip} >/dev/null 2>&1 && echo spoof yes || "
               f"echo spoof no\nip addr del {spoof}/24 dev eth0\n")
    second = _boot(cloud, alice, "alice-2", image, probe + spoofed)
    other = _boot(cloud, bob, "bob-1", image, probe)
    second_text = _console_until(cloud, alice, second, "stratus-guest: ready")
    assert f"user_data: reach {ip} yes" in second_text, second_text
    assert "user_data: spoof no" in second_text, second_text
    bob_text = _console_until(cloud, bob, other, "stratus-guest: ready")
    assert "stratus-guest: dhcp ok iface=eth0" in bob_text
    assert f"user_data: reach {ip} no" in bob_text, bob_text
    assert "user_data: reach gateway yes" in bob_text, bob_text  # its own network works
    # libvirt attached the NIC with the MAC the API shows, on the project's bridge.
    import libvirt
    conn = libvirt.open(daemon.uri)
    nic = ET.fromstring(conn.lookupByUUIDString(first).XMLDesc()).find(
        "devices/interface")
    assert nic is not None and nic.find("mac").get("address") == mac
    bridge = nic.find("source").get("bridge")
    conn.close()
    links = subprocess.run(["ip", "netns", "exec", daemon.netns, "ip", "-o", "link", "show",
                            "master", bridge], capture_output=True, text=True).stdout
    assert bridge and "tap" in links
    dnsmasq = subprocess.run(["ip", "netns", "pids", daemon.netns], capture_output=True,
                             text=True).stdout.split()
    assert any("dnsmasq" in open(f"/proc/{pid}/cmdline").read() for pid in dnsmasq
               if subprocess.run(["test", "-e", f"/proc/{pid}"]).returncode == 0)


def test_a_guest_without_a_config_drive_reads_its_metadata_at_169_254_169_254(
        net_cloud: Cloud) -> None:
    """Through the agent's redirect and its metadata proxy in the namespace, to the
    metadata API: the guest's hostname, key and user data."""
    cloud, _daemon = net_cloud
    admin = _admin(cloud)
    owner = _project_client(cloud, admin)
    key = owner.post(f"{cloud.compute_url}/v2.1/os-keypairs",
                     json={"keypair": {"name": "md-key"}})
    assert key.status_code in (200, 201), key.text
    sid = _boot(cloud, owner, "md-guest", _image(cloud, admin),
                "echo user data from the metadata service\n", config_drive=False,
                key_name="md-key")
    text = _console_until(cloud, owner, sid, "stratus-guest: ready")
    assert "config drive ok" not in text
    assert f"stratus-guest: metadata ok hostname=md-guest.novalocal uuid={sid} keys=1" in \
        text, text
    assert "user_data: user data from the metadata service" in text, text
    assert _server(cloud, owner, sid)["config_drive"] == ""


def test_a_floating_ip_reaches_the_guest_from_the_internet_and_back(net_cloud: Cloud) -> None:
    cloud, daemon = net_cloud
    internet = daemon.netns.replace("gn", "inet")
    admin = _admin(cloud)
    image = _image(cloud, admin)
    user = _project_client(cloud, admin)
    made = cloud.run("stratus", "floating", "create", "--ip-range", "203.0.113.16/28",
                     "--pool", "public")
    assert "Created 14 floating IP(s) in pool public" in made.stdout
    # Whatever the guest sends out to the internet, the internet sees from its floating IP.
    log = cloud.state / "outside.log"
    server = subprocess.Popen(["ip", "netns", "exec", internet, "python3", "-m", "http.server",
                               "8080", "--bind", OUTSIDE], stderr=open(log, "wb"),
                              stdout=subprocess.DEVNULL)
    try:
        # Both in the background, their output away from user_data's (else the boot
        # waits for them).
        script = ("mkdir -p /www && echo hello-from-the-guest > /www/index.html && "
                  "busybox httpd -p 80 -h /www </dev/null >/dev/null 2>&1\n"
                  "(for i in $(seq 90); do timeout 3 wget -q -O /dev/null "
                  f"http://{OUTSIDE}:8080/from-guest && break; sleep 1; done) "
                  "</dev/null >/dev/null 2>&1 &\n")
        sid = _boot(cloud, user, "public-1", image, script)
        _console_until(cloud, user, sid, "stratus-guest: ready")
        fixed, _mac = _address(_server(cloud, user, sid))
        fip = user.post(f"{cloud.compute_url}/v2.1/os-floating-ips", headers={
            "OpenStack-API-Version": "compute 2.35"}, json={"pool": "public"}).json()[
            "floating_ip"]["ip"]
        old = {"OpenStack-API-Version": "compute 2.35"}  # the nova-network APIs' last
        assert user.post(f"{cloud.compute_url}/v2.1/servers/{sid}/action", headers=old,
                         json={"addFloatingIp": {"address": fip}}).status_code == 202
        def answers() -> bool:
            # (busybox 1.35's wget -T crashes: timeout bounds it instead)
            return "hello-from-the-guest" in _outside(
                internet, "timeout", "3", "busybox", "wget", "-q", "-O", "-",
                f"http://{fip}/").stdout

        # The default group lets nothing in: the port stays closed from the internet.
        time.sleep(2)
        assert not answers()
        rules = [_rule(cloud, user, "tcp", 80, 80), _rule(cloud, user, "icmp", -1, -1)]
        deadline = time.monotonic() + 20
        while not answers():
            assert time.monotonic() < deadline, "the guest's HTTP port never answered:\n" + \
                _diagnostics(daemon.netns, internet)
            time.sleep(0.5)
        # (the two rules may reach the host in two converges)
        while _outside(internet, "busybox", "ping", "-c", "1", "-W", "1", fip).returncode:
            assert time.monotonic() < deadline + 5, "no ping through the floating IP"
        # Whatever the guest sends out reaches the internet from its floating IP.
        while "/from-guest" not in log.read_text():
            assert time.monotonic() < deadline + 30, log.read_text()
            time.sleep(0.5)
        sources = {line.split()[0] for line in log.read_text().splitlines()
                   if "/from-guest" in line}
        assert sources == {fip}, (sources, fixed)
        # The rule deleted, the port is closed again within 2 s.
        assert user.delete(f"{cloud.compute_url}/v2.1/os-security-group-rules/{rules[0]}",
                           headers=old).status_code == 202
        time.sleep(2)
        assert not answers()
        # Taken off, the address leads nowhere.
        assert user.post(f"{cloud.compute_url}/v2.1/servers/{sid}/action", headers=old,
                         json={"removeFloatingIp": {"address": fip}}).status_code == 202
        time.sleep(1)
        assert _outside(internet, "busybox", "ping", "-c", "1", "-W", "1",
                        fip).returncode != 0
    finally:
        server.kill()


def _networks(cloud: EmbeddedCloud, client: httpx.Client) -> dict[str, str]:
    old = {"OpenStack-API-Version": "compute 2.35"}
    found = client.get(f"{cloud.compute_url}/v2.1/os-tenant-networks", headers=old).json()
    return {n["label"]: n["id"] for n in found["networks"]}


def test_a_guest_on_two_networks_leases_an_address_on_each(net_cloud: Cloud) -> None:
    cloud, _daemon = net_cloud
    admin = _admin(cloud)
    image = _image(cloud, admin)
    user = _project_client(cloud, admin)
    _console_until(cloud, user, _boot(cloud, user, "first", image), "stratus-guest: ready")
    old = {"OpenStack-API-Version": "compute 2.35"}
    resp = user.post(f"{cloud.compute_url}/v2.1/os-tenant-networks", headers=old, json={
        "network": {"label": "second", "cidr": "10.250.7.0/24"}})
    assert resp.status_code == 200, resp.text
    nets = _networks(cloud, user)
    resp = user.post(f"{cloud.compute_url}/v2.1/servers", json={"server": {
        "name": "two-nics", "imageRef": image, "flavorRef": "1", "config_drive": True,
        "networks": [{"uuid": nets["private"]}, {"uuid": nets["second"]}]}})
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    text = _console_until(cloud, user, sid, "stratus-guest: ready")
    addresses = _server(cloud, user, sid)["addresses"]
    (first,), (second,) = addresses["private"], addresses["second"]
    assert f"dhcp ok iface=eth0 ip={first['addr']}/24" in text, text
    assert f"dhcp ok iface=eth1 ip={second['addr']}/24" in text, text
    assert second["addr"].startswith("10.250.7.")


def _our_rules(netns: str) -> list[str]:
    saved = subprocess.run(["ip", "netns", "exec", netns, "iptables-save"],
                           capture_output=True, text=True, check=True).stdout
    return [line for line in saved.splitlines()
            if "stratus-" in line and not line.startswith("#")]


def _dnsmasq_pids(netns: str) -> set[str]:
    pids = subprocess.run(["ip", "netns", "pids", netns], capture_output=True,
                          text=True).stdout.split()
    found = set()
    for pid in pids:
        try:
            if b"dnsmasq" in open(f"/proc/{pid}/cmdline", "rb").read():
                found.add(pid)
        except OSError:
            pass
    return found


def test_restarting_the_agent_keeps_guests_reachable_and_rules_unchanged(
        net_cloud: Cloud) -> None:
    cloud, daemon = net_cloud
    admin = _admin(cloud)
    image = _image(cloud, admin)
    user = _project_client(cloud, admin)
    sid = _boot(cloud, user, "survivor", image)
    _console_until(cloud, user, sid, "stratus-guest: ready")
    ip, _mac = _address(_server(cloud, user, sid))

    def reachable() -> bool:
        return subprocess.run(["ip", "netns", "exec", daemon.netns, "busybox", "ping", "-c",
                               "1", "-W", "2", ip], capture_output=True).returncode == 0

    assert reachable()
    rules, dnsmasq = _our_rules(daemon.netns), _dnsmasq_pids(daemon.netns)
    assert rules and dnsmasq
    cloud.stop()  # the agents go; libvirtd, the guests and the data plane stay
    assert reachable() and _our_rules(daemon.netns) == rules
    cloud.start()
    deadline = time.monotonic() + 30
    while "Network agent" not in cloud.log.read_text():  # its first converge is done
        assert time.monotonic() < deadline, cloud.log.read_text()[-3000:]
        time.sleep(0.5)
    assert _our_rules(daemon.netns) == rules  # not one rule lost or doubled
    assert _dnsmasq_pids(daemon.netns) == dnsmasq  # the same dnsmasq, told by SIGHUP
    assert reachable()



def _interfaces(daemon: private_daemon.PrivateLibvirtd, sid: str,
                defined: bool = False) -> list[ET.Element]:
    """The <interface>s of the running guest (of its definition with `defined`)."""
    import libvirt
    conn = libvirt.open(daemon.uri)
    try:
        xml = conn.lookupByUUIDString(sid).XMLDesc(
            libvirt.VIR_DOMAIN_XML_INACTIVE if defined else 0)
    finally:
        conn.close()
    return ET.fromstring(xml).findall("devices/interface")


def _macs(daemon: private_daemon.PrivateLibvirtd, sid: str) -> list[list[str]]:
    """The MACs of the running guest's NICs, then of its definition's."""
    return [[str(i.find("mac").get("address")) for i in _interfaces(daemon, sid, defined)]
            for defined in (False, True)]


def test_add_fixed_ip_hot_plugs_a_nic_into_the_running_guest_and_remove_unplugs_it(
        net_cloud: Cloud) -> None:
    cloud, daemon = net_cloud
    admin = _admin(cloud)
    image = _image(cloud, admin)
    user = _project_client(cloud, admin)
    sid = _boot(cloud, user, "hotplug", image)
    _console_until(cloud, user, sid, "stratus-guest: ready")
    _ip, mac = _address(_server(cloud, user, sid))
    resp = user.post(f"{cloud.compute_url}/v2.1/os-tenant-networks", headers={
        "OpenStack-API-Version": "compute 2.35"}, json={
        "network": {"label": "hotplug", "cidr": "10.250.9.0/24"}})
    assert resp.status_code == 200, resp.text
    url = f"{cloud.compute_url}/v2.1/servers/{sid}/action"
    v243 = {"OpenStack-API-Version": "compute 2.43"}
    resp = user.post(url, headers=v243, json={
        "addFixedIp": {"networkId": _networks(cloud, user)["hotplug"]}})
    assert resp.status_code == 202, resp.text
    (added,) = _server(cloud, user, sid)["addresses"]["hotplug"]
    assert added["addr"].startswith("10.250.9.")
    new_mac = added["OS-EXT-IPS-MAC:mac_addr"]
    deadline = time.monotonic() + 60
    while _macs(daemon, sid) != [[mac, new_mac]] * 2:
        assert time.monotonic() < deadline, _macs(daemon, sid)
        time.sleep(0.5)
    # The guest's kernel saw a virtio NIC (PCI 1af4:1000) arrive after its boot.
    while "[1af4:1000] type 00 class 0x020000" not in _console_until(
            cloud, user, sid, "stratus-guest: ready").split("stratus-guest: ready", 1)[1]:
        assert time.monotonic() < deadline, "no hot-plugged NIC on the guest's console"
        time.sleep(0.5)
    # The running guest's second tap is on the new network's bridge.
    nic = _interfaces(daemon, sid)[1]
    bridge, tap = nic.find("source").get("bridge"), nic.find("target").get("dev")
    links = subprocess.run(["ip", "netns", "exec", daemon.netns, "ip", "-o", "link", "show",
                            "master", str(bridge)], capture_output=True, text=True).stdout
    assert str(tap) in links, links

    resp = user.post(url, headers=v243, json={"removeFixedIp": {"address": added["addr"]}})
    assert resp.status_code == 202, resp.text
    assert "hotplug" not in _server(cloud, user, sid)["addresses"]
    deadline = time.monotonic() + 60  # the guest answers the ACPI unplug request
    while _macs(daemon, sid) != [[mac]] * 2:
        assert time.monotonic() < deadline, _macs(daemon, sid)
        time.sleep(0.5)
