"""FlatManager with real guests (seed 5.3.1): the admin's bridge, made by the test inside
the network namespace it creates and removes, used as it is; no DHCP, the guests take
their addresses from the config drive's network_data.json, given to them unasked."""
from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.functional.embedded import EmbeddedCloud
from tests.functional.guest_clouds import Cloud, guest_cloud
from tests.functional.test_guest_networking import (
    _address, _admin, _console_until, _dnsmasq_pids, _image, _project_client, _server)

pytestmark = pytest.mark.slow
BRIDGE = "br100"  # [network] flat_network_bridge's default
RANGE, GATEWAY = "10.251.0.0/24", "10.251.0.1"


def _in_netns(netns: str, *argv: str) -> str:
    return subprocess.run(["ip", "netns", "exec", netns, *argv], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def flat_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    def admins_bridge(netns: str) -> None:
        # What the admin does before FlatManager can work: the bridge, here with the
        # gateway's address on it.
        for argv in (["ip", "link", "add", BRIDGE, "type", "bridge"],
                     ["ip", "addr", "add", f"{GATEWAY}/24", "dev", BRIDGE],
                     ["ip", "link", "set", BRIDGE, "up"]):
            _in_netns(netns, *argv)

    def flat_network(cloud: EmbeddedCloud) -> None:
        cloud.run("stratus", "network", "create", "--label", "flat", "--fixed-range-v4",
                  RANGE)
    with guest_cloud(tmp_path_factory, "gf", 27300, {"OS_NETWORK__MANAGER": "FlatManager"},
                     before_start=admins_bridge, after_start=flat_network) as found:
        yield found


def _boot(cloud: EmbeddedCloud, client: httpx.Client, name: str, image: str,
          script: str) -> str:
    """A server that asks for no config drive."""
    server: dict[str, Any] = {"name": name, "imageRef": image, "flavorRef": "1",
                              "networks": "auto",
                              "user_data": base64.b64encode(
                                  f"#!/bin/sh\n{script}".encode()).decode()}
    resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": server})
    assert resp.status_code == 202, resp.text
    return str(resp.json()["server"]["id"])


# The first guest pings whoever ARPs for it (the second guest, when it pings), and says
# so on the console; in the background, its output away from user_data's.
PING_BACK = (
    "(for i in $(seq 240); do\n"
    f"  for peer in $(awk 'NR > 1 && $3 != \"0x0\" && $1 != \"{GATEWAY}\" {{print $1}}' "
    "/proc/net/arp); do\n"
    "    busybox ping -c 1 -W 2 $peer >/dev/null 2>&1 && "
    "echo \"stratus-guest: pinged peer $peer\" >/dev/console && exit 0\n"
    "  done; sleep 1\n"
    "done) </dev/null >/dev/null 2>&1 &\n")


def _probe(target: str) -> str:
    return "".join(f"busybox ping -c 2 -W 2 {ip} >/dev/null 2>&1 && echo reach {ip} yes || "
                   f"echo reach {ip} no\n" for ip in (target, GATEWAY))


def test_flat_guests_take_static_addresses_and_reach_each_other(flat_cloud: Cloud) -> None:
    cloud, daemon = flat_cloud
    admin = _admin(cloud)
    image = _image(cloud, admin)
    user = _project_client(cloud, admin)
    first = _boot(cloud, user, "flat-1", image, PING_BACK)
    first_text = _console_until(cloud, user, first, "stratus-guest: ready")
    first_ip, _mac = _address(_server(cloud, user, first))
    second = _boot(cloud, user, "flat-2", image, _probe(first_ip))
    second_text = _console_until(cloud, user, second, "stratus-guest: ready")
    second_ip, _mac = _address(_server(cloud, user, second))
    # Each took the address the API shows from its config drive, without DHCP (the
    # network's MTU is network_device_mtu's 1450).
    for text, ip in ((first_text, first_ip), (second_text, second_ip)):
        assert f"stratus-guest: static ok iface=eth0 ip={ip}/24 mtu=1450" in text, text
        assert "stratus-guest: config drive ok" in text, text
        assert "stratus-guest: dhcp" not in text, text
    assert {_server(cloud, user, s)["config_drive"] for s in (first, second)} == {"True"}
    assert _dnsmasq_pids(daemon.netns) == set()
    # The two reach each other, and the gateway on the admin's bridge.
    assert f"user_data: reach {first_ip} yes" in second_text, second_text
    assert f"user_data: reach {GATEWAY} yes" in second_text, second_text
    _console_until(cloud, user, first, f"stratus-guest: pinged peer {second_ip}", timeout=60)
    # The agent left the admin's bridge as it was: its address is still there.
    assert f"inet {GATEWAY}/24" in _in_netns(daemon.netns, "ip", "-o", "addr", "show",
                                             BRIDGE)
