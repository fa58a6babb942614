"""dnsmasq's command line and hosts file, built from validated values only."""
from __future__ import annotations

import pytest

from network_agent import dnsmasq
from network_agent.driver import DhcpHost, DhcpRange, NetworkDriverError

PATHS = dnsmasq.Paths.of("/var/lib/stratus", "net1")


def test_command_line() -> None:
    argv = dnsmasq.command(
        PATHS, bridge="br-1", ranges=[DhcpRange("10.1.0.0", 24, "s4", gateway="10.1.0.1"),
                                      DhcpRange("fd00::", 64, "s6")],
        dns_servers=["10.1.0.2", "fd00::2"], mtu=1450, lease_time=600, domain="example.org",
        config_file=None, ipv6_ra=True)
    d = "/var/lib/stratus/dhcp/net1"
    assert argv == [
        "dnsmasq", "--no-resolv", "--no-hosts", "--bind-interfaces", "--interface=br-1",
        "--except-interface=lo", "--conf-file=", f"--pid-file={d}/pid",
        f"--dhcp-leasefile={d}/leases", f"--dhcp-hostsfile={d}/host",
        f"--log-facility={d}/dnsmasq.log", "--log-dhcp",
        "--dhcp-range=set:s4,10.1.0.0,static,255.255.255.0,600",
        "--dhcp-option=tag:s4,option:router,10.1.0.1",
        "--dhcp-range=set:s6,fd00::,static,64,600",
        "--dhcp-option=option:mtu,1450", "--dhcp-option=option:dns-server,10.1.0.2",
        "--dhcp-option=option6:dns-server,[fd00::2]", "--domain=example.org",
        "--enable-ra", "--dhcp-range=set:ra,::,constructor:br-1,ra-stateless"]


def test_hosts_file() -> None:
    assert dnsmasq.hosts_file([DhcpHost("52:54:00:AA:00:01", "vm1", "10.1.0.5"),
                               DhcpHost("52:54:00:aa:00:02", "vm2", None, ipv6="fd00::5")]) == \
        "52:54:00:aa:00:01,vm1,10.1.0.5\n52:54:00:aa:00:02,vm2,[fd00::5]\n"


@pytest.mark.parametrize("change, message", [
    ({"bridge": "br-1,--dhcp-script=/tmp/x"}, "interface name"),
    ({"config_file": "/etc/x.conf,--dhcp-script=/tmp/x"}, "config file"),
    ({"domain": "a b"}, "domain"),
    ({"dns_servers": ["8.8.8.8 --x"]}, "IP address"),
    ({"lease_time": 30}, "lease time"),
])
def test_no_value_can_add_an_option(change: dict[str, object], message: str) -> None:
    kwargs: dict[str, object] = {"bridge": "br-1", "ranges": [], "dns_servers": [],
                                 "mtu": None, "lease_time": 120, "domain": None,
                                 "config_file": None, "ipv6_ra": False}
    with pytest.raises(NetworkDriverError, match=message):
        dnsmasq.command(PATHS, **{**kwargs, **change})  # type: ignore[arg-type]


def test_bad_hosts_are_refused() -> None:
    with pytest.raises(NetworkDriverError, match="hostname"):
        dnsmasq.hosts_file([DhcpHost("52:54:00:aa:00:01", "vm1\n--x", "10.1.0.5")])
    with pytest.raises(NetworkDriverError, match="not an IPv4"):
        dnsmasq.hosts_file([DhcpHost("52:54:00:aa:00:01", "vm1", "fd00::1")])
    with pytest.raises(NetworkDriverError, match="network id"):
        dnsmasq.Paths.of("/var/lib/stratus", "../etc")


def test_values_are_checked_whole() -> None:
    with pytest.raises(NetworkDriverError, match="hostname"):
        dnsmasq.hosts_file([DhcpHost("52:54:00:aa:00:01", "vm1\n", "10.1.0.5")])
    with pytest.raises(NetworkDriverError, match="IP address"):
        dnsmasq.hosts_file([DhcpHost("52:54:00:aa:00:01", "vm1", 167837957)])  # type: ignore[arg-type]
