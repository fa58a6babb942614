"""The iptables chains of a host's server ports: what each port may send (its own fixed
IP and MAC only) and what may reach it (replies, its own network, what its security
groups' ingress rules allow).

Rules from an IPv6 range are not IPv4 rules: they are left out here (0.0.0.0/0 opens no
IPv6, as in nova-network; IPv6 is not filtered yet).
"""
from __future__ import annotations

import ipaddress
from typing import Any

from network_agent.driver import CHAIN_PREFIX
from stratus.config import CONF

PORTS_CHAIN = CHAIN_PREFIX + "ports"
SPOOF_CHAIN = CHAIN_PREFIX + "spoof"
Port = dict[str, Any]


def _protocol_match(rule: dict[str, Any]) -> str:
    protocol = rule.get("protocol")
    if protocol in ("tcp", "udp"):
        low, high = rule.get("from_port"), rule.get("to_port")
        if low is not None and low > 0:
            return f"-p {protocol} --dport {low}" + (f":{high}" if high != low else "")
        return f"-p {protocol}"
    if protocol == "icmp":
        kind, code = rule.get("from_port"), rule.get("to_port")
        if kind is None or kind < 0:
            return "-p icmp"
        return f"-p icmp --icmp-type {kind}" + (f"/{code}" if code is not None and code >= 0
                                               else "")
    return ""


def _rule_matches(rule: dict[str, Any]) -> list[str]:
    """The matches of one ingress rule, one per IPv4 source it allows."""
    if rule.get("source_ips") is not None:
        sources = [f"{ip}/32" for ip in rule["source_ips"]
                   if ipaddress.ip_address(ip).version == 4]
    else:
        cidr = rule.get("cidr") or "0.0.0.0/0"
        sources = [cidr] if ipaddress.ip_network(cidr, strict=False).version == 4 else []
    match = _protocol_match(rule)
    return [f"-s {source} {match}".strip() for source in sources]


def _name(kind: str, port: Port) -> str:
    return f"{CHAIN_PREFIX}{kind}-{port['id'].replace('-', '')[:12]}"


def security_group_chains(ports: list[Port]) -> dict[str, list[str]]:
    """One chain per server port of this host: replies and the port's own network pass,
    then what its security groups' ingress rules allow; everything else is dropped
    (egress is open, as nova-network's). PORTS_CHAIN sends each fixed IP's traffic
    (floating IPs are DNATed to it first) to its port's chain."""
    chains: dict[str, list[str]] = {PORTS_CHAIN: []}
    for port in ports:
        rules = ["-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"]
        if CONF.network.allow_same_net_traffic and port.get("cidr"):
            rules.append(f"-s {port['cidr']} -j ACCEPT")
        rules += [f"{match} -j ACCEPT" for rule in port["rules"]
                  for match in _rule_matches(rule)]
        name = _name("i", port)
        chains[name] = [*dict.fromkeys(rules), "-j DROP"]
        chains[PORTS_CHAIN].append(f"-d {port['address']}/32 -j {name}")
    return chains


def spoofing_chains(ports: list[Port]) -> dict[str, list[str]]:
    """What a server may send: from each port (its tap) only its own fixed IPs and MAC,
    besides the DHCP request it makes before it has an address. SPOOF_CHAIN, first in
    FORWARD and INPUT, sends each tap's traffic to that port's chain."""
    chains: dict[str, list[str]] = {SPOOF_CHAIN: []}
    for port in ports:
        name = _name("o", port)
        own = f"-s {port['address']}/32 -m mac --mac-source {port['mac']} -j RETURN"
        earlier = chains.get(name, [
            "-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp --sport 68 --dport 67 -j RETURN",
            "-j DROP"])
        chains[name] = [*dict.fromkeys([*earlier[:-1], own]), "-j DROP"]
        chain = f"-m physdev --physdev-in {port['devname']} -j {name}"
        if chain not in chains[SPOOF_CHAIN]:
            chains[SPOOF_CHAIN].append(chain)
    return chains
