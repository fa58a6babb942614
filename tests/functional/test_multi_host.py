"""Two compute hosts on one multi_host VXLAN network, on the real data plane: each host's
network agent (Linux driver) works in a namespace of its own (`network_namespace` with
{host}), the two joined by an underlay veth. The "guests" are namespaces whose veth end
on the host side is the port's tap, as libvirt would plug it. Every namespace is made
here and removed at the end; traffic stays between them."""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from conductor.network import addressing
from stratus.config import CONF
from tests.functional.conftest import Cloud

TOOLS = ("ip", "dnsmasq", "iptables-restore", "ebtables-restore", "busybox")
missing = [t for t in TOOLS if shutil.which(t) is None]
PREFIX = f"stratus-mh{secrets.token_hex(3)}"
UNDERLAY = ("10.199.0.1", "10.199.0.2")
UDHCPC_SCRIPT = """#!/bin/sh
[ "$1" = bound ] || exit 0
busybox ifconfig "$interface" "$ip" netmask "$subnet" up
echo "ip=$ip router=$router"
"""
pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces"),
    pytest.mark.skipif(bool(missing), reason=f"missing tools: {' '.join(missing)}"),
    pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning"),
]


def run(*argv: str, ns: str | None = None, check: bool = True,
        timeout: float = 20) -> subprocess.CompletedProcess[str]:
    full = (["ip", "netns", "exec", ns] if ns else []) + list(argv)
    return subprocess.run(full, capture_output=True, text=True, check=check, timeout=timeout)


def _remove(ns: str) -> None:
    for pid in run("ip", "netns", "pids", ns, check=False).stdout.split():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), 9)
    run("ip", "netns", "del", ns, check=False)


def hosts() -> tuple[str, str]:
    """The cloud fixture's two fake hosts (its [DEFAULT] host is testhost)."""
    return "testhost", "testhost-2"


@pytest.fixture
def host_namespaces(tmp_path: Any) -> Iterator[dict[str, str]]:
    """One namespace per host, joined by veth `under0` (the VXLAN underlay)."""
    made = {host: f"{PREFIX}-{host}" for host in hosts()}
    try:
        for ns in made.values():
            run("ip", "netns", "add", ns)
        a, b = made.values()
        run("ip", "link", "add", "under0", "netns", a, "type", "veth", "peer", "name",
            "under0", "netns", b)
        for ns, address in zip(made.values(), UNDERLAY):
            run("ip", "-n", ns, "addr", "add", f"{address}/24", "dev", "under0")
            run("ip", "-n", ns, "link", "set", "under0", "up")
            run("ip", "-n", ns, "link", "set", "lo", "up")
        yield made
    finally:
        for ns in made.values():
            _remove(ns)
        shutil.rmtree(f"/tmp/{PREFIX}-dhcp", ignore_errors=True)


CONFIG = {"fake_hosts": 2, "config": {
    "network": {"driver": "linux", "network_namespace": f"{PREFIX}-{{host}}",
                "dhcp_files_path": f"/tmp/{PREFIX}-dhcp", "multi_host": True,
                "vxlan_interface": "under0"}}}


def _guest(host_ns: str, server: dict[str, Any], vif: dict[str, Any], bridge: str) -> str:
    """A namespace playing the server: its eth0 has the port's MAC, the host end is the
    port's tap on the network's bridge."""
    ns = f"{PREFIX}-g{secrets.token_hex(2)}"
    tap = addressing.devname(vif["id"])
    run("ip", "netns", "add", ns)
    run("ip", "link", "add", tap, "netns", host_ns, "type", "veth", "peer", "name", "eth0",
        "netns", ns)
    run("ip", "-n", ns, "link", "set", "eth0", "address", vif["mac_address"])
    run("ip", "-n", ns, "link", "set", "eth0", "up")
    run("ip", "-n", host_ns, "link", "set", tap, "master", bridge, "up")
    return ns


def _lease(ns: str, script: str) -> dict[str, str]:
    out = run("busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5", "-s", script,
              ns=ns, timeout=40).stdout
    return dict(re.findall(r"(\w+)=(\S+)", out))


def _answering_macs(ns: str, address: str) -> set[str]:
    """The MACs that answer ARP for `address` on the guest's link."""
    out = run("busybox", "arping", "-c", "3", "-w", "4", "-I", "eth0", address, ns=ns,
              check=False, timeout=15).stdout
    return {m.lower() for m in re.findall(r"\[([0-9A-Fa-f:]{17})\]", out)}


def _mac(ns: str, device: str) -> str:
    out = run("ip", "-n", ns, "-o", "link", "show", device).stdout
    return re.search(r"link/ether (\S+)", out).group(1).lower()  # type: ignore[union-attr]


@pytest.mark.parametrize("cloud", [CONFIG], indirect=True)
def test_each_host_is_its_own_gateway_and_guests_meet_across_hosts(
        host_namespaces: dict[str, str], cloud: Cloud, tmp_path: Any) -> None:
    assert CONF.network.multi_host
    script = tmp_path / "udhcpc.sh"
    script.write_text(UDHCPC_SCRIPT)
    script.chmod(0o755)
    admin = cloud.headers()
    image = cloud.create_image(admin, visibility="public")["id"]
    guests, leases, servers = {}, {}, {}
    old = {**admin, "OpenStack-API-Version": "compute 2.12"}
    for host in hosts():
        sid = cloud.boot(admin, image, networks="auto", availability_zone=f"nova:{host}")["id"]
        server = cloud.wait_for_server(admin, sid)
        assert server["status"] == "ACTIVE" and server["OS-EXT-SRV-ATTR:host"] == host
        (vif,), = [cloud.compute.get(f"/v2.1/servers/{sid}/os-virtual-interfaces",
                                     headers=old).json()["virtual_interfaces"]]
        net = cloud.compute.get(f"/v2.1/os-networks/{vif['net_id']}",
                                headers=old).json()["network"]
        guests[host] = _guest(host_namespaces[host], server, vif, net["bridge"])
        servers[host] = server
        leases[host] = _lease(guests[host], str(script))
    try:
        for host in hosts():  # each guest's lease comes from its own host, the same gateway
            (fixed,), = servers[host]["addresses"].values()
            assert leases[host]["ip"] == fixed["addr"], (host, leases)
            assert leases[host]["router"] == net["gateway"]
            # ... which only its own host answers: the gateway does not cross the VXLAN link
            bridge_mac = _mac(host_namespaces[host], net["bridge"])
            assert _answering_macs(guests[host], net["gateway"]) == {bridge_mac}
        first, second = hosts()
        ping = run("busybox", "ping", "-c", "2", "-W", "3", leases[second]["ip"],
                   ns=guests[first], check=False, timeout=20)
        assert ping.returncode == 0, ping.stdout + ping.stderr  # across hosts, over VXLAN
    finally:
        for ns in guests.values():
            _remove(ns)
