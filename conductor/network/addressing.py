"""Address arithmetic of networks (no SQL): a network's values from what an admin asked,
which addresses may be handed out, IPv6 addresses from MACs (EUI-64), the next project
network VlanManager carves out, and a NIC's network_info entry."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any, Protocol

from stratus import exception
from stratus.config import CONF

Record = dict[str, Any]
BRIDGE_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,15}$")
MAX_VNI = 2 ** 24 - 1


class NetworkLike(Protocol):
    uuid: str
    label: str
    cidr: str | None
    cidr_v6: str | None
    gateway: str | None
    gateway_v6: str | None
    broadcast: str | None
    dhcp_start: str | None
    netmask: str | None
    dns1: str | None
    dns2: str | None
    bridge: str
    vlan: int | None
    vni: int | None
    mtu: int | None
    multi_host: bool
    enable_dhcp: bool
    manager: str
    host: str | None
    project_id: str | None


def _invalid(message: str) -> exception.Invalid:
    return exception.Invalid(message)


def _ipv4_network(cidr: str) -> ipaddress.IPv4Network:
    try:
        net = ipaddress.ip_network(cidr)
    except ValueError:
        raise _invalid(f"Invalid CIDR {cidr!r}: give a network address and prefix, "
                       f"such as 10.0.0.0/24.")
    if not isinstance(net, ipaddress.IPv4Network):
        raise _invalid(f"{cidr} is not an IPv4 range.")
    if net.prefixlen > 29:
        raise _invalid(f"{cidr} is too small: a network needs at least a /29.")
    return net


def _ipv6_network(cidr: str) -> ipaddress.IPv6Network:
    try:
        net = ipaddress.ip_network(cidr)
    except ValueError:
        raise _invalid(f"Invalid IPv6 CIDR {cidr!r}.")
    if not isinstance(net, ipaddress.IPv6Network):
        raise _invalid(f"{cidr} is not an IPv6 range.")
    if net.prefixlen > 64:
        raise _invalid(f"{cidr} is too small: addresses are made from MACs (EUI-64), "
                       f"which needs a /64 or larger.")
    return net


def _address(value: str | None, what: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise _invalid(f"Invalid {what} {value!r}.")


def _segment(manager: str, vlan: int | None, vni: int | None) -> tuple[int | None, int | None]:
    if vlan is not None and vni is not None:
        raise _invalid("Give a VLAN or a VNI, not both.")
    if vlan is not None and not 1 <= vlan <= 4094:
        raise _invalid(f"VLAN {vlan} is out of range (1-4094).")
    if vni is not None and not 1 <= vni <= MAX_VNI:
        raise _invalid(f"VNI {vni} is out of range (1-{MAX_VNI}).")
    if manager == "VlanManager" and vlan is None and vni is None:
        raise _invalid("A VlanManager network needs a VLAN or a VNI.")
    return vlan, vni


def _bridge(manager: str, bridge: str | None, vlan: int | None, vni: int | None) -> str:
    if not bridge:
        bridge = f"br{vlan}" if vlan else f"brvx{vni}" if vni \
            else CONF.network.flat_network_bridge
    if not BRIDGE_NAME.match(bridge):
        raise _invalid(f"Invalid bridge name {bridge!r}: up to 15 letters, digits, "
                       f"'.', '_' or '-'.")
    return bridge


def network_values(*, label: str, cidr: str, cidr_v6: str | None = None,
                   bridge: str | None = None, bridge_interface: str | None = None,
                   vlan: int | None = None, vni: int | None = None,
                   multi_host: bool = False, dns1: str | None = None,
                   dns2: str | None = None, gateway: str | None = None,
                   dhcp_start: str | None = None, project_id: str | None = None,
                   mtu: int | None = None, enable_dhcp: bool = True,
                   priority: int | None = None, manager: str | None = None) -> Record:
    """The columns of a new network, checked (Invalid with a clear reason)."""
    manager = manager or CONF.network.manager
    if not label or len(label) > 255:
        raise _invalid("A network needs a label of 1 to 255 characters.")
    net = _ipv4_network(cidr)
    hosts = list(net.hosts())
    gateway = _address(gateway, "gateway") or str(hosts[0])
    if ipaddress.ip_address(gateway) not in net:
        raise _invalid(f"Gateway {gateway} is not in {net}.")
    dhcp_start = _address(dhcp_start, "DHCP start") or str(ipaddress.ip_address(gateway) + 1)
    if ipaddress.ip_address(dhcp_start) not in net:
        raise _invalid(f"DHCP start {dhcp_start} is not in {net}.")
    v6 = _ipv6_network(cidr_v6) if cidr_v6 else None
    vlan, vni = _segment(manager, vlan, vni)
    if bridge_interface and not BRIDGE_NAME.match(bridge_interface):
        raise _invalid(f"Invalid interface name {bridge_interface!r}.")
    if mtu is not None and not 576 <= mtu <= 9000:
        raise _invalid(f"MTU {mtu} is out of range (576-9000).")
    return {"label": label, "cidr": str(net), "netmask": str(net.netmask),
            "broadcast": str(net.broadcast_address), "gateway": gateway,
            "dhcp_start": dhcp_start, "cidr_v6": str(v6) if v6 else None,
            "gateway_v6": str(v6[1]) if v6 else None,
            "netmask_v6": str(v6.prefixlen) if v6 else None,
            "bridge": _bridge(manager, bridge, vlan, vni),
            "bridge_interface": bridge_interface or None, "vlan": vlan, "vni": vni,
            "multi_host": multi_host, "dns1": _address(dns1, "DNS server"),
            "dns2": _address(dns2, "DNS server"), "project_id": project_id,
            "mtu": mtu or CONF.network.network_device_mtu, "enable_dhcp": enable_dhcp,
            "priority": priority, "manager": manager}


def _unusable(net: NetworkLike) -> set[ipaddress.IPv4Address]:
    cidr = ipaddress.ip_network(net.cidr or "")
    return {cidr.network_address, cidr.broadcast_address, ipaddress.ip_address(net.gateway)}


def assignable(net: NetworkLike, address: str) -> bool:
    """Whether `address` may be a server's in `net` (inside it, not its network,
    broadcast or gateway address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return net.cidr is not None and ip in ipaddress.ip_network(net.cidr) \
        and ip not in _unusable(net)


def first_free(net: NetworkLike, used: Iterable[str]) -> str | None:
    """The lowest address from dhcp_start on that nobody has, or None."""
    cidr = ipaddress.ip_network(net.cidr or "")
    taken = {ipaddress.ip_address(a) for a in used} | _unusable(net)
    start = int(ipaddress.ip_address(net.dhcp_start or str(cidr[1])))
    for value in range(start, int(cidr.broadcast_address)):
        ip = ipaddress.IPv4Address(value)
        if ip not in taken:
            return str(ip)
    return None


def eui64_mac(address: ipaddress.IPv6Address) -> str | None:
    """The MAC an EUI-64 address was made from (None when it was not)."""
    interface_id = address.packed[8:]
    if interface_id[3:5] != b"\xff\xfe":
        return None
    octets = [interface_id[0] ^ 0x02, *interface_id[1:3], *interface_id[5:]]
    return ":".join(f"{o:02x}" for o in octets)


def eui64(prefix: str, mac: str) -> str:
    """The address of `mac` in the /64 `prefix` (RFC 4291, modified EUI-64)."""
    octets = [int(part, 16) for part in mac.split(":")]
    octets[0] ^= 0x02
    interface_id = octets[:3] + [0xFF, 0xFE] + octets[3:]
    net = ipaddress.IPv6Network(prefix)
    return str(net.network_address + int.from_bytes(bytes(interface_id), "big"))


def next_project_network(project_id: str, cidrs: list[str], cidrs_v6: list[str],
                         taken_ids: set[int]) -> Record:
    """VlanManager's next network for a project: the first `network_size` block of
    `fixed_range` no live network overlaps, the lowest free VLAN ID or VNI."""
    opts = CONF.network
    used = [ipaddress.ip_network(c) for c in cidrs]
    prefix = 32 - max(2, (opts.network_size - 1).bit_length())
    block = next((b for b in ipaddress.ip_network(opts.fixed_range).subnets(new_prefix=prefix)
                  if not any(b.overlaps(u) for u in used)), None)
    if block is None:
        raise exception.NoMoreNetworks()
    segment = free_segment(taken_ids)
    v6 = None
    if opts.use_ipv6:
        used6 = [ipaddress.ip_network(c) for c in cidrs_v6]
        v6 = next((str(b) for b in ipaddress.ip_network(opts.fixed_range_v6)
                   .subnets(new_prefix=64) if not any(b.overlaps(u) for u in used6)), None)
    vlan = segment if opts.segmentation == "vlan" else None
    vni = segment if opts.segmentation == "vxlan" else None
    return network_values(label="private", cidr=str(block), cidr_v6=v6, vlan=vlan, vni=vni,
                          multi_host=opts.multi_host, project_id=project_id,
                          manager="VlanManager")


def devname(vif_uuid: str) -> str:
    """The tap of a NIC on its host (14 characters, as Nova's)."""
    return ("tap" + vif_uuid)[:14]


def free_segment(taken: set[int]) -> int:
    """The lowest VLAN ID or VNI from `vlan_start` not in `taken`."""
    return next(i for i in range(CONF.network.vlan_start, MAX_VNI + 1) if i not in taken)


def vif_info(vif_uuid: str, mac: str, net: NetworkLike, addresses: list[str],
             floating: dict[str, list[str]] | None = None) -> Record:
    """One NIC as network_info carries it: its MAC, its network's plumbing and subnets,
    and its addresses (the IPv6 one made from the MAC where the network has a range),
    each fixed one with the floating addresses that lead to it."""
    dns = [a for a in (net.dns1, net.dns2) if a]
    subnets = [{"cidr": net.cidr, "version": 4, "gateway": net.gateway, "dns": dns,
                "netmask": net.netmask,
                "ips": [{"address": a, "type": "fixed", "version": 4,
                         "floating_ips": (floating or {}).get(a, [])} for a in addresses]}]
    if net.cidr_v6 and CONF.network.use_ipv6:
        subnets.append({"cidr": net.cidr_v6, "version": 6, "gateway": net.gateway_v6,
                        "dns": [], "ips": [{"address": eui64(net.cidr_v6, mac),
                                            "type": "fixed", "version": 6,
                                            "floating_ips": []}]})
    return {"id": vif_uuid, "address": mac, "type": "bridge",
            "devname": devname(vif_uuid),
            "network": {"id": net.uuid, "label": net.label, "bridge": net.bridge,
                        "vlan": net.vlan, "vni": net.vni, "mtu": net.mtu,
                        "multi_host": net.multi_host, "host": net.host,
                        "dhcp": net.enable_dhcp and net.manager != "FlatManager",
                        "subnets": subnets}}
