"""Dual-stack real guests (seed 5.3.8): with `use_ipv6` a project network has a /64 of
`fixed_range_v6`, dnsmasq sends router advertisements, each guest makes its EUI-64
address from them (the one the API shows) and reaches the others over IPv6, and
ip6tables keeps each port to its own addresses as iptables does for IPv4. A rule from an
IPv6 range is an ip6tables rule only. All inside a namespace this test creates."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.guest_clouds import Cloud, guest_cloud
from tests.functional.test_guest_networking import (
    _admin, _boot, _console_until, _image, _rule, _server)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def v6_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    with guest_cloud(tmp_path_factory, "g6", 27700, {
            "OS_NETWORK__USE_IPV6": "true",
            "OS_NETWORK__FIXED_RANGE_V6": "fd00:5:5::/48"}) as found:
        yield found


def _addresses(server: dict[str, Any]) -> dict[int, str]:
    (items,) = server["addresses"].values()
    return {item["version"]: item["addr"] for item in items}


def _saved(netns: str, tool: str) -> str:
    return subprocess.run(["ip", "netns", "exec", netns, *tool.split()], capture_output=True,
                          text=True, check=True).stdout


def test_dual_stack_guests_take_their_eui64_addresses_and_cannot_spoof_them(
        v6_cloud: Cloud) -> None:
    cloud, daemon = v6_cloud
    client = _admin(cloud)
    image = _image(cloud, client)
    # Not an IPv4 rule: iptables-restore would refuse it (and with it the host's chains).
    _rule(cloud, client, "tcp", 8080, 8080, cidr="::/0")
    first = _boot(cloud, client, "v6-a", image)
    console = _console_until(cloud, client, first, "stratus-guest: ready")
    addresses = _addresses(_server(cloud, client, first))
    assert set(addresses) == {4, 6} and addresses[6].startswith("fd00:5:5:")
    assert f"ipv6 ok iface=eth0 ip={addresses[6]}" in console, console[-2000:]
    spoofed = addresses[6].rsplit(":", 1)[0] + ":99"
    second = _boot(cloud, client, "v6-b", image, script=(
        f"busybox ping6 -c 2 -w 6 {addresses[6]} >/dev/null 2>&1; echo v6ping rc=$?\n"
        f"busybox ping -c 2 -w 6 {addresses[4]} >/dev/null 2>&1; echo v4ping rc=$?\n"
        f"ip -6 addr add {spoofed}/64 dev eth0; sleep 3\n"
        f"busybox ping6 -c 2 -w 4 -I {spoofed} {addresses[6]} >/dev/null 2>&1;"
        " echo v6spoof rc=$?\n"))
    console = _console_until(cloud, client, second, "user_data done", timeout=300)
    assert "v6ping rc=0" in console and "v4ping rc=0" in console, console[-2000:]
    assert "v6spoof rc=1" in console, console[-2000:]  # another address reaches nobody
    v6_rules = _saved(daemon.netns, "ip6tables-save")
    assert "-p tcp -m tcp --dport 8080 -j ACCEPT" in v6_rules  # ::/0 shows as no -s
    v4_rules = _saved(daemon.netns, "iptables-save")
    assert "stratus-i-" in v4_rules and "::/0" not in v4_rules
    assert "--dport 8080" not in v4_rules
    for sid in (first, second):
        assert client.delete(f"{cloud.compute_url}/v2.1/servers/{sid}").status_code == 204
