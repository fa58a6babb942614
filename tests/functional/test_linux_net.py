"""The Linux data plane, for real, inside network namespaces these tests create.

Every bridge, vxlan, veth, dnsmasq and iptables rule lives in a namespace named
stratus-t-<random> that the test deletes when it ends, however it ends; traffic only
flows between those namespaces.
"""
from __future__ import annotations

import contextlib
import os
import pathlib
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator

import pytest

TOOLS = ("ip", "bridge", "dnsmasq", "iptables-save", "iptables-restore", "ip6tables-restore",
         "sysctl", "busybox")
missing = [t for t in TOOLS if shutil.which(t) is None]
pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces"),
    pytest.mark.skipif(bool(missing), reason=f"missing tools: {' '.join(missing)}"),
    # eventlet (installed for other services) warns on every fork privsep and pyroute2 do.
    pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning"),
]

pyroute2 = pytest.importorskip("pyroute2")
privsep = pytest.importorskip("oslo_privsep.priv_context")

from network_agent import privileged  # noqa: E402
from network_agent.driver import DhcpHost, DhcpRange, Firewall, NetworkDriverError  # noqa: E402
from network_agent.linux_net import LinuxNetDriver  # noqa: E402

GUEST_MAC = "52:54:00:12:34:56"
UDHCPC_SCRIPT = '#!/bin/sh\n[ "$1" = bound ] && echo "ip=$ip mtu=$mtu router=$router"\nexit 0\n'

MakeNs = Callable[[], str]


def run(*argv: str, ns: str | None = None, check: bool = True,
        timeout: float = 20) -> subprocess.CompletedProcess[str]:
    full = (["ip", "netns", "exec", ns] if ns else []) + list(argv)
    return subprocess.run(full, capture_output=True, text=True, check=check, timeout=timeout)


@pytest.fixture(scope="module", autouse=True)
def privsep_daemon() -> Iterator[None]:
    privileged.start(privsep.Method.FORK)
    try:
        yield
    finally:
        privileged.stop()


@pytest.fixture
def make_ns() -> Iterator[MakeNs]:
    created: list[str] = []

    def make() -> str:
        name = f"stratus-t-{secrets.token_hex(4)}"
        run("ip", "netns", "add", name)
        created.append(name)
        return name
    try:
        yield make
    finally:
        for name in created:
            _delete_ns(name)


def _delete_ns(name: str) -> None:
    # Only the processes this test started live in its namespace (dnsmasq, udhcpc).
    pids = run("ip", "netns", "pids", name, check=False).stdout.split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
    run("ip", "netns", "del", name, check=False)


@pytest.fixture
def state_dir() -> Iterator[pathlib.Path]:
    # Not under tmp_path: dnsmasq reads its hosts file as nobody, through every parent.
    path = pathlib.Path(tempfile.mkdtemp(prefix="stratus-t-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def guest(make_ns: MakeNs, host_ns: str, bridge: str, port: str,
          mac: str = GUEST_MAC) -> str:
    """A namespace playing a guest: its eth0 is a veth whose peer `port` is on
    `bridge` in `host_ns`."""
    ns = make_ns()
    run("ip", "-n", host_ns, "link", "add", port, "type", "veth", "peer", "name", "eth0",
        "address", mac, "netns", ns)
    run("ip", "-n", host_ns, "link", "set", port, "master", bridge, "up")
    run("ip", "-n", ns, "link", "set", "eth0", "up")
    return ns


def _eventually(check: Callable[[], bool], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def link_state(ns: str, name: str) -> dict[str, object] | None:
    with pyroute2.IPRoute(netns=ns, flags=0) as ipr:
        found = ipr.link_lookup(ifname=name)
        if not found:
            return None
        link = ipr.get_links(found[0])[0]
        addrs = sorted(f"{a.get_attr('IFA_ADDRESS')}/{a['prefixlen']}"
                       for a in ipr.get_addr(index=found[0])
                       if not a.get_attr("IFA_ADDRESS").startswith("fe80:"))
        master = link.get_attr("IFLA_MASTER")
        return {"index": link["index"], "up": bool(link["flags"] & 1), "addresses": addrs,
                "mtu": link.get_attr("IFLA_MTU"),
                "master": ipr.get_links(master)[0].get_attr("IFLA_IFNAME") if master else None}


def test_bridge_has_exactly_its_addresses_and_is_idempotent(
        make_ns: MakeNs, state_dir: pathlib.Path) -> None:
    ns = make_ns()
    driver = LinuxNetDriver(ns, state_dir)
    run("ip", "-n", ns, "link", "add", "uplink0", "type", "veth", "peer", "name", "uplink1")
    driver.ensure_bridge("br-t1", addresses=["10.20.0.1/24", "fd00:20::1/64"], mtu=1400,
                         interface="uplink0")
    first = link_state(ns, "br-t1")
    assert first is not None and first["up"] and first["mtu"] == 1400
    assert first["addresses"] == ["10.20.0.1/24", "fd00:20::1/64"]
    assert link_state(ns, "uplink0")["master"] == "br-t1"  # type: ignore[index]
    driver.ensure_bridge("br-t1", addresses=["10.20.0.1/24", "fd00:20::1/64"], mtu=1400,
                         interface="uplink0")
    assert link_state(ns, "br-t1") == first
    driver.ensure_bridge("br-t1", addresses=["10.21.0.1/24"], interface="absent0")
    assert link_state(ns, "br-t1")["addresses"] == ["10.21.0.1/24"]  # type: ignore[index]
    assert link_state(None, "br-t1") is None  # nothing in the root namespace  # type: ignore[arg-type]
    driver.delete_bridge("br-t1")
    driver.delete_bridge("br-t1")
    assert link_state(ns, "br-t1") is None
    with pytest.raises(NetworkDriverError, match="invalid interface name"):
        driver.ensure_bridge("br-t1 up; reboot", addresses=[])


def _dhcp(driver: LinuxNetDriver, hosts: list[DhcpHost], mtu: int = 1400) -> None:
    driver.update_dhcp("net-1", bridge="br-d", hosts=hosts,
                       ranges=[DhcpRange("10.30.0.0", 24, "sub1", gateway="10.30.0.1")],
                       dns_servers=["10.30.0.2"], mtu=mtu, domain="stratus.test")


def test_dnsmasq_serves_static_leases_in_the_namespace(
        make_ns: MakeNs, state_dir: pathlib.Path, tmp_path: pathlib.Path) -> None:
    ns = make_ns()
    driver = LinuxNetDriver(ns, state_dir)
    driver.ensure_bridge("br-d", addresses=["10.30.0.1/24"])
    guest_ns = guest(make_ns, ns, "br-d", "tap-g1")
    _dhcp(driver, [DhcpHost(GUEST_MAC, "vm1", "10.30.0.50")])
    pid = driver.dhcp_pid("net-1")
    assert pid is not None and str(pid) in run("ip", "netns", "pids", ns).stdout.split()
    hosts = state_dir / "dhcp" / "net-1" / "host"
    assert hosts.read_text() == f"{GUEST_MAC},vm1,10.30.0.50\n"

    script = tmp_path / "udhcpc.sh"
    script.write_text(UDHCPC_SCRIPT)
    script.chmod(0o755)
    got = run("busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5", "-T", "1",
              "-O", "mtu", "-s", str(script), ns=guest_ns, timeout=30).stdout
    assert "ip=10.30.0.50 mtu=1400 router=10.30.0.1" in got

    _dhcp(driver, [DhcpHost(GUEST_MAC, "vm1", "10.30.0.50"),
                   DhcpHost("52:54:00:00:00:02", "vm2", "10.30.0.51", ipv6="fd00:30::51")])
    assert driver.dhcp_pid("net-1") == pid  # reloaded by SIGHUP, not restarted
    log = state_dir / "dhcp" / "net-1" / "dnsmasq.log"
    assert _eventually(lambda: log.read_text().count(f"read {hosts}\n") == 2)  # re-read
    assert hosts.read_text().splitlines() == [
        f"{GUEST_MAC},vm1,10.30.0.50", "52:54:00:00:00:02,vm2,10.30.0.51,[fd00:30::51]"]
    _dhcp(driver, [DhcpHost(GUEST_MAC, "vm1", "10.30.0.50")], mtu=1450)
    restarted = driver.dhcp_pid("net-1")
    assert restarted not in (None, pid)
    driver.stop_dhcp("net-1")
    driver.stop_dhcp("net-1")
    assert driver.dhcp_pid("net-1") is None
    assert str(restarted) not in run("ip", "netns", "pids", ns).stdout.split()


def test_vxlan_joins_only_the_same_vni_across_hosts(
        make_ns: MakeNs, state_dir: pathlib.Path) -> None:
    host_a, host_b = make_ns(), make_ns()
    run("ip", "-n", host_a, "link", "add", "ul0", "type", "veth", "peer", "name", "ul0",
        "netns", host_b)
    for ns, ip in ((host_a, "192.168.77.1/24"), (host_b, "192.168.77.2/24")):
        run("ip", "-n", ns, "addr", "add", ip, "dev", "ul0")
        run("ip", "-n", ns, "link", "set", "ul0", "up")
    a, b = LinuxNetDriver(host_a, state_dir), LinuxNetDriver(host_b, state_dir)
    for driver, local, remote in ((a, "192.168.77.1", "192.168.77.2"),
                                  (b, "192.168.77.2", "192.168.77.1")):
        driver.ensure_bridge("br-100", addresses=[])
        for _ in range(2):  # idempotent
            driver.ensure_vxlan("br-100", vni=100, underlay="ul0", local_ip=local,
                                remotes=[remote, "192.168.77.9"])
        driver.ensure_vxlan("br-100", vni=100, underlay="ul0", local_ip=local,
                            remotes=[remote])
    for driver, local, remote in ((a, "192.168.77.1", "192.168.77.2"),
                                  (b, "192.168.77.2", "192.168.77.1")):
        driver.ensure_bridge("br-200", addresses=[])
        driver.ensure_vxlan("br-200", vni=200, underlay="ul0", local_ip=local,
                            remotes=[remote])
    fdb = run("bridge", "fdb", "show", "dev", "vx-100", ns=host_a).stdout
    assert [line for line in fdb.splitlines() if line.startswith("00:00:00:00:00:00")] == [
        "00:00:00:00:00:00 dst 192.168.77.2 self permanent"]
    before = link_state(host_a, "vx-100")
    assert before is not None and before["master"] == "br-100" and before["mtu"] == 1450
    a.ensure_vxlan("br-100", vni=100, underlay="ul0", local_ip="192.168.77.1",
                   remotes=["192.168.77.2"])
    assert link_state(host_a, "vx-100") == before  # not recreated

    guests = {}
    for name, ns, bridge, ip, mac in (
            ("a", host_a, "br-100", "10.100.0.11/24", "52:54:00:00:01:0a"),
            ("b", host_b, "br-100", "10.100.0.12/24", "52:54:00:00:01:0b"),
            ("c", host_b, "br-200", "10.100.0.13/24", "52:54:00:00:01:0c"),
            ("d", host_a, "br-200", "10.100.0.14/24", "52:54:00:00:01:0d")):
        guests[name] = guest(make_ns, ns, bridge, f"tap-{name}", mac)
        run("ip", "-n", guests[name], "addr", "add", ip, "dev", "eth0")
    ping = ("busybox", "ping", "-c", "1", "-W", "2")
    assert run(*ping, "10.100.0.12", ns=guests["a"], check=False).returncode == 0
    assert run(*ping, "10.100.0.13", ns=guests["d"], check=False).returncode == 0
    assert run(*ping, "10.100.0.13", ns=guests["a"], check=False).returncode != 0  # vni 200
    a.delete_bridge("br-100")
    assert link_state(host_a, "vx-100") is None


def _save(ns: str, tool: str = "iptables-save") -> list[str]:
    return [line for line in run(tool, ns=ns).stdout.splitlines() if not line.startswith("#")]


def test_firewall_replaces_our_chains_and_leaves_others(
        make_ns: MakeNs, state_dir: pathlib.Path) -> None:
    ns = make_ns()
    driver = LinuxNetDriver(ns, state_dir)
    run("iptables", "-A", "INPUT", "-s", "9.9.9.9/32", "-j", "DROP", ns=ns)
    metadata = "-d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8775"
    first = Firewall(chains={"nat": {"stratus-PREROUTING": [metadata]},
                             "filter": {"stratus-FORWARD": ["-i br-1 -j ACCEPT"],
                                        "stratus-old": ["-j RETURN"]}},
                     jumps={"nat": {"PREROUTING": ["-j stratus-PREROUTING"]},
                            "filter": {"FORWARD": ["-j stratus-FORWARD"]}})
    v6 = Firewall(chains={"filter": {"stratus-in6": ["-s fd00::/64 -j ACCEPT"]}},
                  jumps={"filter": {"INPUT": ["-j stratus-in6"]}})
    driver.apply_firewall(first, v6)
    driver.apply_firewall(first, v6)
    saved = _save(ns)
    assert saved.count("-A PREROUTING -j stratus-PREROUTING") == 1
    assert f"-A stratus-PREROUTING {metadata}" in saved
    assert "-A stratus-old -j RETURN" in saved
    assert "-A INPUT -j stratus-in6" in _save(ns, "ip6tables-save")

    second = Firewall(chains={"filter": {"stratus-FORWARD": ["-i br-2 -j ACCEPT"]}},
                      jumps={"filter": {"FORWARD": ["-j stratus-FORWARD"]}})
    driver.apply_firewall(second)
    saved = _save(ns)
    ours = [line for line in saved if "stratus-" in line]
    assert ours == [":stratus-FORWARD - [0:0]", "-A FORWARD -j stratus-FORWARD",
                    "-A stratus-FORWARD -i br-2 -j ACCEPT"]
    assert "-A INPUT -s 9.9.9.9/32 -j DROP" in saved  # not ours: left alone
    assert not [line for line in _save(ns, "ip6tables-save") if "stratus-" in line]
    assert "9.9.9.9" not in run("iptables-save").stdout  # the root namespace is untouched


def test_firewall_changes_are_deltas_and_outside_edits_are_repaired(
        make_ns: MakeNs, state_dir: pathlib.Path) -> None:
    ns = make_ns()
    driver = LinuxNetDriver(ns, state_dir)
    port = "-d 10.0.0.2/32 -j stratus-i-a"
    one = Firewall(chains={"filter": {"stratus-ports": [port],
                                      "stratus-i-a": ["-p tcp -m tcp --dport 22 -j ACCEPT",
                                                      "-j DROP"]}},
                   jumps={"filter": {"FORWARD": ["-j stratus-ports"]}})
    two = Firewall(chains={"filter": {"stratus-ports": [port, "-d 10.0.0.3/32 -j stratus-i-b"],
                                      "stratus-i-a": one.chains["filter"]["stratus-i-a"],
                                      "stratus-i-b": ["-j DROP"]}},
                   jumps=one.jumps)
    driver.apply_firewall(one)
    driver.apply_firewall(two)
    ours = [line for line in _save(ns) if "stratus-" in line]
    assert ours == [":stratus-i-a - [0:0]", ":stratus-i-b - [0:0]", ":stratus-ports - [0:0]",
                    "-A FORWARD -j stratus-ports",
                    "-A stratus-i-a -p tcp -m tcp --dport 22 -j ACCEPT", "-A stratus-i-a -j DROP",
                    "-A stratus-i-b -j DROP", "-A stratus-ports -d 10.0.0.2/32 -j stratus-i-a",
                    "-A stratus-ports -d 10.0.0.3/32 -j stratus-i-b"]
    # Someone flushes FORWARD behind the agent's back: the next delta cannot delete our
    # jump there, and the agent falls back to reading the tables and rewriting ours.
    run("iptables", "-F", "FORWARD", ns=ns)
    driver.apply_firewall(one)
    saved = _save(ns)
    assert saved.count("-A FORWARD -j stratus-ports") == 1
    assert ":stratus-i-b - [0:0]" not in saved
    moved = Firewall(chains=one.chains, jumps={"filter": {"INPUT": ["-j stratus-ports"],
                                                          "FORWARD": ["-j stratus-ports"]}})
    driver.apply_firewall(moved)
    saved = _save(ns)
    assert saved.count("-A FORWARD -j stratus-ports") == 1
    assert "-A INPUT -j stratus-ports" in saved


def test_forwarding_is_set_in_the_namespace_only(
        make_ns: MakeNs, state_dir: pathlib.Path) -> None:
    ns = make_ns()
    root_before = pathlib.Path("/proc/sys/net/ipv4/ip_forward").read_text()
    driver = LinuxNetDriver(ns, state_dir)
    driver.set_forwarding(True)
    assert run("sysctl", "-n", "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding",
               ns=ns).stdout.split() == ["1", "1"]
    driver.set_forwarding(False)
    assert run("sysctl", "-n", "net.ipv4.ip_forward", ns=ns).stdout.strip() == "0"
    assert pathlib.Path("/proc/sys/net/ipv4/ip_forward").read_text() == root_before


def test_vlan_support_is_detected(make_ns: MakeNs, state_dir: pathlib.Path) -> None:
    ns = make_ns()
    driver = LinuxNetDriver(ns, state_dir)
    driver.ensure_bridge("br-v", addresses=[])
    run("ip", "-n", ns, "link", "add", "phys0", "type", "veth", "peer", "name", "phys1")
    kernel_has_vlan = run("ip", "-n", ns, "link", "add", "link", "phys1", "name", "phys1.7",
                          "type", "vlan", "id", "7", check=False).returncode == 0
    reason = driver.vlan_supported()
    if kernel_has_vlan:
        assert reason is None
        driver.ensure_vlan("br-v", vlan=10, interface="phys0")
        assert link_state(ns, "phys0.10")["master"] == "br-v"  # type: ignore[index]
    else:
        assert reason is not None and "802.1Q" in reason
        with pytest.raises(NetworkDriverError, match="802.1Q"):
            driver.ensure_vlan("br-v", vlan=10, interface="phys0")
    names = run("ip", "-o", "link", "show", ns=ns).stdout
    assert "stratus-vlprb" not in names  # the probe leaves nothing behind


def test_router_advertisements_give_guests_slaac_addresses(
        make_ns: MakeNs, state_dir: pathlib.Path) -> None:
    ns = make_ns()
    driver = LinuxNetDriver(ns, state_dir)
    driver.ensure_bridge("br-6", addresses=["10.40.0.1/24", "fd00:40::1/64"])
    guest_ns = guest(make_ns, ns, "br-6", "tap-g6")
    driver.update_dhcp("net-6", bridge="br-6", hosts=[DhcpHost(GUEST_MAC, "vm6", "10.40.0.5")],
                       ranges=[DhcpRange("10.40.0.0", 24, "sub4")], dns_servers=[],
                       mtu=None, ipv6_ra=True)
    # EUI-64 from the guest's MAC 52:54:00:12:34:56.
    slaac = "fd00:40::5054:ff:fe12:3456/64"
    assert _eventually(lambda: slaac in run("ip", "-6", "addr", "show", "dev", "eth0",
                                             ns=guest_ns).stdout, timeout=15)
    driver.stop_dhcp("net-6")
