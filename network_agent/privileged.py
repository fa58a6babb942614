"""The one module where the network agent acts as root.

Every `@net_admin.entrypoint` runs in the oslo.privsep daemon and takes only simple
values, validated here again before use (the daemon trusts no caller): interface names,
addresses parsed by ipaddress, range-checked integers. Netlink goes through pyroute2;
commands are argv lists, never shell strings, run inside the namespace with
`ip netns exec`.
"""
from __future__ import annotations

import contextlib
import ipaddress
import os
import pathlib
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from oslo_config import cfg
from oslo_privsep import capabilities as caps
from oslo_privsep import priv_context
from pyroute2 import IPRoute
from pyroute2.netlink.exceptions import NetlinkError

from network_agent import dnsmasq, firewall, validate
from network_agent.driver import DhcpHost, DhcpRange, Firewall, NetworkDriverError

CFG_SECTION = "stratus_net_admin"

net_admin = priv_context.PrivContext(
    "network_agent",
    cfg_section=CFG_SECTION,
    pypath=__name__ + ".net_admin",
    capabilities=[caps.CAP_NET_ADMIN, caps.CAP_NET_RAW, caps.CAP_NET_BIND_SERVICE,
                  caps.CAP_SYS_ADMIN,  # setns: netlink sockets and `ip netns exec`
                  caps.CAP_KILL,  # signals to dnsmasq, which runs as nobody
                  caps.CAP_DAC_OVERRIDE, caps.CAP_SETUID, caps.CAP_SETGID],
)

IPV6_LINK_LOCAL = ipaddress.ip_network("fe80::/10")
ZERO_MAC = "00:00:00:00:00:00"
IFF_UP = 1
IFA_F_SECONDARY = 0x01
Address = ipaddress.IPv4Interface | ipaddress.IPv6Interface


def start(method: priv_context.Method = priv_context.Method.ROOTWRAP) -> None:
    """Start the privsep daemon: FORK forks this (root) process; ROOTWRAP runs the
    `privsep-helper` beside this Python, without sudo unless [stratus_net_admin]
    helper_command says otherwise."""
    if method is priv_context.Method.ROOTWRAP:
        helper = pathlib.Path(sys.executable).with_name("privsep-helper")
        cfg.CONF.set_default("helper_command", str(helper), group=CFG_SECTION)
    net_admin.start(method)


def stop() -> None:
    net_admin.stop()


# --- links ---------------------------------------------------------------------------

@contextlib.contextmanager
def _ipr(netns: str | None) -> Iterator[IPRoute]:
    if netns is not None and not os.path.exists(f"/run/netns/{netns}"):
        raise NetworkDriverError(f"network namespace {netns} does not exist")
    ipr = IPRoute(netns=netns, flags=0) if netns else IPRoute()
    try:
        yield ipr
    except NetlinkError as e:
        raise NetworkDriverError(f"netlink request failed in namespace {netns}: {e}") from None
    finally:
        ipr.close()


def _link(ipr: IPRoute, name: str) -> Any | None:
    found = ipr.link_lookup(ifname=name)
    return ipr.get_links(found[0])[0] if found else None


def _kind(link: Any) -> str | None:
    info = link.get_attr("IFLA_LINKINFO")
    return info.get_attr("IFLA_INFO_KIND") if info else None


def _info_data(link: Any) -> dict[str, Any]:
    info = link.get_attr("IFLA_LINKINFO")
    data = info.get_attr("IFLA_INFO_DATA") if info else None
    return dict(data["attrs"]) if data else {}


def _need(ipr: IPRoute, name: str, what: str) -> Any:
    link = _link(ipr, name)
    if link is None:
        raise NetworkDriverError(f"{what} {name} does not exist")
    return link


def _set_link(ipr: IPRoute, link: Any, *, mtu: int | None = None,
              master: int | None = None) -> None:
    """Set the link up, and its MTU and master when given: only what differs."""
    changes: dict[str, Any] = {}
    if not link["flags"] & IFF_UP:
        changes["state"] = "up"
    if mtu is not None and link.get_attr("IFLA_MTU") != mtu:
        changes["mtu"] = mtu
    if master is not None and link.get_attr("IFLA_MASTER") != master:
        changes["master"] = master
    if changes:
        ipr.link("set", index=link["index"], **changes)


def _addresses(ipr: IPRoute, index: int) -> set[Address]:
    found = {ipaddress.ip_interface(f"{a.get_attr('IFA_ADDRESS')}/{a['prefixlen']}")
             for a in ipr.get_addr(index=index)}
    return {a for a in found if a.ip not in IPV6_LINK_LOCAL}


def _sync_addresses(ipr: IPRoute, index: int, wanted: list[Address]) -> None:
    current = _addresses(ipr, index)
    for addr in current - set(wanted):
        ipr.addr("del", index=index, address=str(addr.ip), prefixlen=addr.network.prefixlen)
    for addr in wanted:
        if addr not in current:
            extra = {"broadcast": str(addr.network.broadcast_address)} \
                if addr.version == 4 and addr.network.prefixlen < 31 else {}
            ipr.addr("add", index=index, address=str(addr.ip),
                     prefixlen=addr.network.prefixlen, **extra)


@net_admin.entrypoint
def ensure_bridge(netns: str | None, bridge: str, addresses: list[str], mtu: int | None,
                  interface: str | None) -> None:
    netns, bridge = validate.netns(netns), validate.ifname(bridge)
    wanted = [validate.cidr(a) for a in addresses]
    mtu = None if mtu is None else validate.mtu(mtu)
    interface = None if interface is None else validate.ifname(interface)
    with _ipr(netns) as ipr:
        link = _link(ipr, bridge)
        if link is None:
            ipr.link("add", ifname=bridge, kind="bridge")
            link = _need(ipr, bridge, "bridge")
        elif _kind(link) != "bridge":
            raise NetworkDriverError(f"{bridge} exists and is not a bridge")
        _set_link(ipr, link, mtu=mtu)
        _sync_addresses(ipr, link["index"], wanted)
        port = _link(ipr, interface) if interface else None
        if port is not None:
            _set_link(ipr, port, master=link["index"])


@net_admin.entrypoint
def set_floating_addresses(netns: str | None, interface: str, addresses: list[str]) -> None:
    netns, interface = validate.netns(netns), validate.ifname(interface)
    wanted = {ipaddress.ip_interface(f"{validate.ip(a)}") for a in addresses}
    with _ipr(netns) as ipr:
        link = _need(ipr, interface, "interface")
        _set_link(ipr, link)
        current = {a for a in _addresses(ipr, link["index"])
                   if a.network.prefixlen == a.max_prefixlen}
        for addr in current - wanted:
            ipr.addr("del", index=link["index"], address=str(addr.ip),
                     prefixlen=addr.network.prefixlen)
        for addr in wanted - current:
            ipr.addr("add", index=link["index"], address=str(addr.ip),
                     prefixlen=addr.network.prefixlen)


@net_admin.entrypoint
def interface_address(netns: str | None, interface: str) -> str | None:
    netns, interface = validate.netns(netns), validate.ifname(interface)
    with _ipr(netns) as ipr:
        link = _link(ipr, interface)
        if link is None:
            return None
        for family in (socket.AF_INET, socket.AF_INET6):  # the primary one, IPv4 first
            for a in ipr.get_addr(index=link["index"], family=family):
                address = ipaddress.ip_address(a.get_attr("IFA_ADDRESS"))
                if not a["flags"] & IFA_F_SECONDARY and address not in IPV6_LINK_LOCAL:
                    return str(address)
        return None


def _vxlan_spec(vni: int, underlay: int, local: str, port: int) -> dict[str, Any]:
    key = "IFLA_VXLAN_LOCAL6" if ipaddress.ip_address(local).version == 6 \
        else "IFLA_VXLAN_LOCAL"
    return {"IFLA_VXLAN_ID": vni, "IFLA_VXLAN_LINK": underlay, key: local,
            "IFLA_VXLAN_PORT": port}


@net_admin.entrypoint
def ensure_vxlan(netns: str | None, bridge: str, vni: int, underlay: str, local_ip: str,
                 remotes: list[str], mtu: int, port: int) -> None:
    netns, bridge, underlay = validate.netns(netns), validate.ifname(bridge), \
        validate.ifname(underlay)
    vni = validate.integer(vni, 1, 2**24 - 1, "VXLAN VNI")
    local_ip = validate.ip(local_ip)
    version = ipaddress.ip_address(local_ip).version
    wanted_remotes = {validate.ip(r, version) for r in remotes}
    mtu, port = validate.mtu(mtu), validate.integer(port, 1, 65535, "VXLAN port")
    name = f"vx-{vni}"
    with _ipr(netns) as ipr:
        br = _need(ipr, bridge, "bridge")
        spec = _vxlan_spec(vni, _need(ipr, underlay, "underlay interface")["index"],
                           local_ip, port)
        link = _link(ipr, name)
        if link is not None and (_kind(link) != "vxlan" or any(
                _info_data(link).get(k) != v for k, v in spec.items())):
            ipr.link("del", index=link["index"])
            link = None
        if link is None:
            ipr.link("add", ifname=name, kind="vxlan",
                     **{k.lower().removeprefix("ifla_"): v for k, v in spec.items()})
            link = _need(ipr, name, "vxlan link")
        _set_link(ipr, link, mtu=mtu, master=br["index"])
        _sync_flood_list(ipr, link["index"], wanted_remotes)


def _sync_flood_list(ipr: IPRoute, index: int, wanted: set[str]) -> None:
    """The all-zero FDB entries: where the vxlan link sends broadcast and unknown
    unicast (head-end replication to each remote VTEP)."""
    current = {ipaddress.ip_address(e.get_attr("NDA_DST")).compressed
               for e in ipr.fdb("dump") if e["ifindex"] == index
               and e.get_attr("NDA_LLADDR") == ZERO_MAC and e.get_attr("NDA_DST")}
    for dst in current - wanted:
        ipr.fdb("del", ifindex=index, lladdr=ZERO_MAC, dst=dst)
    for dst in sorted(wanted - current):
        ipr.fdb("append", ifindex=index, lladdr=ZERO_MAC, dst=dst)


@net_admin.entrypoint
def vlan_supported(netns: str | None) -> str | None:
    """Try a throwaway vlan link on a throwaway bridge; why it failed, if it did."""
    netns = validate.netns(netns)
    parent, child = "stratus-vlprb", "stratus-vlprb.9"
    with _ipr(netns) as ipr:
        for name in (child, parent):  # leftovers of an interrupted probe
            if (link := _link(ipr, name)) is not None:
                ipr.link("del", index=link["index"])
        ipr.link("add", ifname=parent, kind="bridge")
        try:
            ipr.link("add", ifname=child, kind="vlan",
                     link=_need(ipr, parent, "bridge")["index"], vlan_id=9)
        except NetlinkError as e:
            return f"this kernel has no 802.1Q VLAN support (creating a vlan link: {e.args[-1]})"
        finally:
            ipr.link("del", index=_need(ipr, parent, "bridge")["index"])  # takes the child
    return None


@net_admin.entrypoint
def ensure_vlan(netns: str | None, bridge: str, vlan: int, interface: str,
                mtu: int | None) -> None:
    netns, bridge, interface = validate.netns(netns), validate.ifname(bridge), \
        validate.ifname(interface)
    vlan = validate.integer(vlan, 1, 4094, "VLAN id")
    mtu = None if mtu is None else validate.mtu(mtu)
    name = validate.ifname(f"{interface}.{vlan}")
    with _ipr(netns) as ipr:
        br, parent = _need(ipr, bridge, "bridge"), _need(ipr, interface, "interface")
        link = _link(ipr, name)
        if link is not None and (_kind(link) != "vlan" or _info_data(link).get(
                "IFLA_VLAN_ID") != vlan or link.get_attr("IFLA_LINK") != parent["index"]):
            ipr.link("del", index=link["index"])
            link = None
        if link is None:
            ipr.link("add", ifname=name, kind="vlan", link=parent["index"], vlan_id=vlan)
            link = _need(ipr, name, "vlan link")
        _set_link(ipr, link, mtu=mtu, master=br["index"])


@net_admin.entrypoint
def delete_bridge(netns: str | None, bridge: str) -> None:
    netns, bridge = validate.netns(netns), validate.ifname(bridge)
    with _ipr(netns) as ipr:
        br = _link(ipr, bridge)
        if br is None:
            return
        for link in ipr.get_links():
            if link.get_attr("IFLA_MASTER") == br["index"] and _kind(link) in ("vxlan", "vlan"):
                ipr.link("del", index=link["index"])
        ipr.link("del", index=br["index"])


# --- commands inside the namespace -----------------------------------------------------

def _run(netns: str | None, argv: list[str], stdin: str | None = None,
         timeout: float = 30) -> str:
    full = (["ip", "netns", "exec", netns] if netns else []) + argv
    try:
        proc = subprocess.run(full, input=stdin, capture_output=True, text=True,
                              timeout=timeout, stdin=None if stdin is not None
                              else subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise NetworkDriverError(f"{argv[0]} in namespace {netns}: {e}") from None
    if proc.returncode != 0:
        raise NetworkDriverError(f"{argv[0]} failed in namespace {netns} "
                                 f"(exit {proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


@net_admin.entrypoint
def set_forwarding(netns: str | None, enabled: bool) -> None:
    value = "1" if enabled is True else "0"
    _run(validate.netns(netns), ["sysctl", "-q", "-w", f"net.ipv4.ip_forward={value}",
                                 f"net.ipv6.conf.all.forwarding={value}"])


TOOLS = {"ipv4": "iptables", "ipv6": "ip6tables", "bridge": "ebtables"}
# What the last restore made our chains, per (namespace, family): the next change is
# written as a delta, without reading the tables back. A restart starts from the tables'
# -save output again, and so does a delta the kernel refused.
_APPLIED: dict[tuple[str | None, str], Firewall] = {}


@net_admin.entrypoint
def apply_firewall(netns: str | None, family: str, chains: dict[str, dict[str, list[str]]],
                   jumps: dict[str, dict[str, list[str]]]) -> None:
    """Our chains of `family` ("ipv4", "ipv6" or "bridge": ebtables) made exactly these."""
    netns = validate.netns(netns)
    tool = TOOLS.get(family)  # type: ignore[arg-type]
    if tool is None:
        raise NetworkDriverError(f"invalid firewall family {family!r}")
    bridge = family == "bridge"
    desired = firewall.check(Firewall(chains=chains, jumps=jumps), bridge)
    known = _APPLIED.pop((netns, family), None)
    try:
        if known is None:
            raise NetworkDriverError("no applied state known")
        _restore(netns, tool, firewall.delta_text(known, desired, bridge))
    except NetworkDriverError:
        saved = _run(netns, [f"{tool}-save"])
        _restore(netns, tool, firewall.restore_text(saved, desired, bridge))
    _APPLIED[(netns, family)] = desired


def _restore(netns: str | None, tool: str, text: str) -> None:
    if text:
        _run(netns, [f"{tool}-restore", "--noflush"], stdin=text)


# --- dnsmasq -----------------------------------------------------------------------

@net_admin.entrypoint
def update_dhcp(netns: str | None, state_dir: str, network_id: str, bridge: str,
                hosts: list[dict[str, Any]], ranges: list[dict[str, Any]],
                dns_servers: list[str], mtu: int | None, lease_time: int,
                domain: str | None, config_file: str | None, ipv6_ra: bool) -> int:
    """Write the hosts file, then SIGHUP the running dnsmasq, or (re)start it when its
    command line would differ; its pid."""
    netns, paths = validate.netns(netns), dnsmasq.Paths.of(state_dir, network_id)
    argv = dnsmasq.command(paths, bridge=bridge, ranges=[_record(DhcpRange, r) for r in ranges],
                           dns_servers=dns_servers, mtu=mtu, lease_time=lease_time,
                           domain=domain, config_file=config_file, ipv6_ra=ipv6_ra is True)
    _write_hosts(paths, dnsmasq.hosts_file([_record(DhcpHost, h) for h in hosts]))
    pid = _running_pid(paths)
    if pid is not None and _cmdline(pid)[1:] == argv[1:]:
        os.kill(pid, signal.SIGHUP)
        return pid
    if pid is not None:
        _terminate(pid)
    return _start_dnsmasq(netns, paths, argv)


@net_admin.entrypoint
def stop_dhcp(netns: str | None, state_dir: str, network_id: str) -> None:
    validate.netns(netns)
    paths = dnsmasq.Paths.of(state_dir, network_id)
    if (pid := _running_pid(paths)) is not None:
        _terminate(pid)
    for path in (paths.hosts, paths.leases, paths.pid, paths.log):
        path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        paths.root.rmdir()


@net_admin.entrypoint
def dhcp_pid(state_dir: str, network_id: str) -> int | None:
    return _running_pid(dnsmasq.Paths.of(state_dir, network_id))


def _record(cls: type[Any], value: Any) -> Any:
    try:
        return cls(**value)
    except TypeError as e:
        raise NetworkDriverError(f"invalid {cls.__name__}: {value!r} ({e})") from None


def _write_hosts(paths: dnsmasq.Paths, text: str) -> None:
    paths.root.mkdir(parents=True, exist_ok=True)
    paths.root.chmod(0o755)
    _check_traversable(paths.root)
    tmp = paths.hosts.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.chmod(0o644)
    os.replace(tmp, paths.hosts)  # dnsmasq never reads half a file


def _check_traversable(directory: pathlib.Path) -> None:
    # dnsmasq reads its hosts file only after dropping root for user nobody.
    for d in [directory, *directory.parents]:
        if not d.stat().st_mode & stat.S_IXOTH:
            raise NetworkDriverError(
                f"dnsmasq (running as nobody) cannot reach its hosts file: {d} is not "
                f"searchable by others (chmod o+x)")


def _cmdline(pid: int) -> list[str]:
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    """Running, not a zombie (where PID 1 does not reap, killed daemons linger as Z)."""
    try:
        status = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rpartition(")")[2].split()[0] not in ("Z", "X")


def _running_pid(paths: dnsmasq.Paths) -> int | None:
    """The pid of this network's dnsmasq if it runs (the pid file's process, alive and
    started with this pid file: pids get reused)."""
    try:
        pid = int(paths.pid.read_text().strip())
    except (OSError, ValueError):
        return None
    if _alive(pid) and f"--pid-file={paths.pid}" in _cmdline(pid):
        return pid
    return None


def _terminate(pid: int, timeout: float = 5) -> None:
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout
        time.sleep(0.02)


def _start_dnsmasq(netns: str | None, paths: dnsmasq.Paths, argv: list[str]) -> int:
    paths.pid.unlink(missing_ok=True)
    _run(netns, argv)  # dnsmasq forks into the background once it is serving
    deadline = time.monotonic() + 5
    while (pid := _running_pid(paths)) is None:
        if time.monotonic() > deadline:
            raise NetworkDriverError(f"dnsmasq for {paths.root.name} started but wrote no "
                                     f"pid file; see {paths.log}")
        time.sleep(0.02)
    return pid


# --- the metadata proxy ----------------------------------------------------------------

def _proxy_pid(pid_file: pathlib.Path, argv: list[str]) -> int | None:
    """The pid of the running proxy started with exactly `argv`, if any."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) and _cmdline(pid) == argv else None


@net_admin.entrypoint
def ensure_metadata_proxy(netns: str | None, state_dir: str, port: int,
                          socket_path: str) -> int:
    """network_agent.metadata_proxy running in the namespace on `port`, passing requests
    to `socket_path`: started when none runs with these arguments (one that runs with
    others is stopped first); its pid."""
    netns = validate.netns(netns)
    port = validate.integer(port, 1, 65535, "metadata proxy port")
    root = pathlib.Path(validate.abs_path(state_dir, "state directory")) / "metadata-proxy"
    pid_file = root / "pid"
    argv = [sys.executable, "-m", "network_agent.metadata_proxy", "--port", str(port),
            "--socket", validate.abs_path(socket_path, "metadata socket"),
            "--pid-file", str(pid_file)]
    if (pid := _proxy_pid(pid_file, argv)) is not None:
        return pid
    with contextlib.suppress(OSError, ValueError):
        old = int(pid_file.read_text().strip())
        if _alive(old) and "network_agent.metadata_proxy" in _cmdline(old):
            _terminate(old)
    root.mkdir(parents=True, exist_ok=True)
    pid_file.unlink(missing_ok=True)
    with open(root / "proxy.log", "ab") as log:
        subprocess.Popen((["ip", "netns", "exec", netns] if netns else []) + argv,
                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                         start_new_session=True, cwd="/")
    deadline = time.monotonic() + 10
    while (pid := _proxy_pid(pid_file, argv)) is None:
        if time.monotonic() > deadline:
            raise NetworkDriverError(f"the metadata proxy did not start; see {root}/proxy.log")
        time.sleep(0.02)
    return pid

