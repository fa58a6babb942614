"""The iptables chains of a host's server ports, for one address family (4: iptables, 6:
ip6tables): what each port may send (its own addresses and MAC only) and what may reach
it (replies, its own network, what its security groups' ingress rules allow).

A rule with a CIDR applies to that CIDR's family only (0.0.0.0/0 opens no IPv6, as in
nova-network); a rule from a group applies to the members' addresses of each family.
"""
from __future__ import annotations

import ipaddress
from typing import Any

from network_agent.driver import CHAIN_PREFIX
from stratus.config import CONF

PORTS_CHAIN = CHAIN_PREFIX + "ports"
SPOOF_CHAIN = CHAIN_PREFIX + "spoof"
Port = dict[str, Any]
ICMP = {4: ("icmp", "--icmp-type"), 6: ("ipv6-icmp", "--icmpv6-type")}
HOST_PREFIX = {4: 32, 6: 128}


def _version(network: str) -> int:
    return ipaddress.ip_network(network, strict=False).version


def _address(port: Port, family: int) -> str | None:
    return port["address"] if family == 4 else port.get("address_v6")


def _protocol_match(rule: dict[str, Any], family: int) -> str:
    protocol = rule.get("protocol")
    if protocol in ("tcp", "udp"):
        low, high = rule.get("from_port"), rule.get("to_port")
        if low is not None and low > 0:
            return f"-p {protocol} --dport {low}" + (f":{high}" if high != low else "")
        return f"-p {protocol}"
    if protocol == "icmp":
        name, option = ICMP[family]
        kind, code = rule.get("from_port"), rule.get("to_port")
        if kind is None or kind < 0:
            return f"-p {name}"
        return f"-p {name} {option} {kind}" + (f"/{code}" if code is not None and code >= 0
                                                else "")
    return ""


def _rule_matches(rule: dict[str, Any], family: int) -> list[str]:
    """The matches of one ingress rule in `family`, one per source it allows there."""
    if rule.get("source_ips") is not None:
        sources = [f"{ip}/{HOST_PREFIX[family]}" for ip in rule["source_ips"]
                   if ipaddress.ip_address(ip).version == family]
    else:
        cidr = rule.get("cidr") or "0.0.0.0/0"
        sources = [cidr] if _version(cidr) == family else []
    match = _protocol_match(rule, family)
    return [f"-s {source} {match}".strip() for source in sources]


def _name(kind: str, port: Port) -> str:
    return f"{CHAIN_PREFIX}{kind}-{port['id'].replace('-', '')[:12]}"


def security_group_chains(ports: list[Port], family: int = 4) -> dict[str, list[str]]:
    """One chain per server port with an address of `family`: replies and the port's own
    network pass (its link-local neighbours too, and IPv6 neighbour discovery), then
    what its security groups' ingress
    rules allow; everything else is dropped (egress is open, as nova-network's).
    PORTS_CHAIN sends each fixed IP's traffic (floating IPs are DNATed to it first) to
    its port's chain."""
    chains: dict[str, list[str]] = {PORTS_CHAIN: []}
    for port in ports:
        address = _address(port, family)
        if address is None:
            continue
        rules = ["-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"]
        if family == 6:
            rules += [f"-p ipv6-icmp --icmpv6-type {kind} -j ACCEPT" for kind in (
                "neighbour-solicitation", "neighbour-advertisement", "router-advertisement")]
        network = port.get("cidr") if family == 4 else port.get("cidr_v6")
        if CONF.network.allow_same_net_traffic and network:
            rules.append(f"-s {network} -j ACCEPT")
            if family == 6:  # the same link: a neighbour whose global address is new
                rules.append("-s fe80::/64 -j ACCEPT")
        rules += [f"{match} -j ACCEPT" for rule in port["rules"]
                  for match in _rule_matches(rule, family)]
        name = _name("i", port)
        chains[name] = [*dict.fromkeys(rules), "-j DROP"]
        chains[PORTS_CHAIN].append(f"-d {address}/{HOST_PREFIX[family]} -j {name}")
    return chains


def spoofing_chains(ports: list[Port], family: int = 4) -> dict[str, list[str]]:
    """What a server may send: from each port (its tap) only its own fixed IP and MAC,
    besides the DHCP request it makes before it has an address (IPv4) or its link-local
    neighbour discovery (IPv6; never router advertisements or redirects). SPOOF_CHAIN,
    first in FORWARD and INPUT, sends each tap's traffic to that port's chain. A port
    with no address of `family` sends none of it."""
    chains: dict[str, list[str]] = {SPOOF_CHAIN: []}
    for port in ports:
        address, mac = _address(port, family), port["mac"]
        own = [f"-s {address}/{HOST_PREFIX[family]} -m mac --mac-source {mac} -j RETURN"] \
            if address else []
        if family == 4:
            first = ["-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp --sport 68 --dport 67 "
                     "-j RETURN"]
        else:
            first = ["-p ipv6-icmp --icmpv6-type router-advertisement -j DROP",
                     "-p ipv6-icmp --icmpv6-type redirect -j DROP",
                     "-s ::/128 -p ipv6-icmp -j RETURN",
                     f"-s fe80::/64 -m mac --mac-source {mac} -j RETURN"]
        name = _name("o", port)
        chains[name] = [*dict.fromkeys([*chains.get(name, [])[:-1], *first, *own]), "-j DROP"]
        chain = f"-m physdev --physdev-in {port['devname']} -j {name}"
        if chain not in chains[SPOOF_CHAIN]:
            chains[SPOOF_CHAIN].append(chain)
    return chains
