"""The per-port chains the agent makes from security group rules: what a rule allows,
from which sources, and that everything else is dropped."""
from __future__ import annotations

from network_agent.port_chains import PORTS_CHAIN, security_group_chains
from stratus.config import CONF

PORT = {"id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "address": "10.0.0.5",
        "cidr": "10.0.0.0/24"}
CHAIN = "stratus-i-0f1e2d3c4b5a"


def test_rules_become_accepts_before_a_final_drop() -> None:
    rules = [{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr": "0.0.0.0/0"},
             {"protocol": "udp", "from_port": 5000, "to_port": 5010, "cidr": "192.0.2.0/24"},
             {"protocol": "icmp", "from_port": -1, "to_port": -1, "cidr": None},
             {"protocol": "icmp", "from_port": 8, "to_port": 0, "cidr": "198.51.100.7/32"},
             {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": None,
              "source_ips": ["10.0.1.2", "10.0.1.3"]},
             {"protocol": None, "from_port": None, "to_port": None, "cidr": "203.0.113.0/24"}]
    chains = security_group_chains([{**PORT, "rules": rules}])
    assert chains[PORTS_CHAIN] == [f"-d 10.0.0.5/32 -j {CHAIN}"]
    assert chains[CHAIN] == [
        "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-s 10.0.0.0/24 -j ACCEPT",
        "-s 0.0.0.0/0 -p tcp --dport 80 -j ACCEPT",
        "-s 192.0.2.0/24 -p udp --dport 5000:5010 -j ACCEPT",
        "-s 0.0.0.0/0 -p icmp -j ACCEPT",
        "-s 198.51.100.7/32 -p icmp --icmp-type 8/0 -j ACCEPT",
        "-s 10.0.1.2/32 -p tcp --dport 22 -j ACCEPT",
        "-s 10.0.1.3/32 -p tcp --dport 22 -j ACCEPT",
        "-s 203.0.113.0/24 -j ACCEPT",
        "-j DROP"]


def test_no_rule_drops_all_ingress_but_replies_and_the_network() -> None:
    CONF.set_override("allow_same_net_traffic", False, group="network")
    try:
        chains = security_group_chains([{**PORT, "rules": []}])
    finally:
        CONF.clear_override("allow_same_net_traffic", group="network")
    assert chains[CHAIN] == ["-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                             "-j DROP"]
    assert security_group_chains([]) == {PORTS_CHAIN: []}


def test_the_chains_pass_the_drivers_checks() -> None:
    from network_agent.driver import Firewall
    from network_agent.fake_net import FakeNetDriver
    rules = [{"protocol": "tcp", "from_port": 1, "to_port": 65535, "cidr": "0.0.0.0/0"},
             {"protocol": "icmp", "from_port": 0, "to_port": -1, "cidr": "10.9.0.0/16"}]
    chains = security_group_chains([{**PORT, "rules": rules}])
    driver = FakeNetDriver()
    driver.apply_firewall(Firewall(chains={"filter": chains},
                                   jumps={"filter": {"FORWARD": [f"-j {PORTS_CHAIN}"]}}))
    assert driver.chain("filter", CHAIN) == chains[CHAIN]


def test_a_port_sends_only_from_its_own_address_and_mac() -> None:
    from network_agent.port_chains import SPOOF_CHAIN, spoofing_chains
    port = {**PORT, "mac": "fa:16:3e:00:00:01", "devname": "tap0f1e2d3c-4b"}
    chains = spoofing_chains([port])
    assert chains[SPOOF_CHAIN] == ["-m physdev --physdev-in tap0f1e2d3c-4b "
                                   "-j stratus-o-0f1e2d3c4b5a"]
    assert chains["stratus-o-0f1e2d3c4b5a"] == [
        "-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp --sport 68 --dport 67 -j RETURN",
        "-s 10.0.0.5/32 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN",
        "-j DROP"]


DUAL = {**PORT, "address_v6": "fd00:0:0:1:f816:3eff:fe00:1", "cidr_v6": "fd00:0:0:1::/64",
        "mac": "fa:16:3e:00:00:01", "devname": "tap0f1e2d3c-4b"}


def test_each_family_gets_the_rules_of_its_own_sources() -> None:
    rules = [{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr": "0.0.0.0/0"},
             {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "::/0"},
             {"protocol": "icmp", "from_port": 128, "to_port": -1, "cidr": "2001:db8::/32"},
             {"protocol": "udp", "from_port": 53, "to_port": 53, "cidr": None,
              "source_ips": ["10.0.1.2", "fd00:0:0:1::9"]}]
    v4 = security_group_chains([{**DUAL, "rules": rules}], 4)
    v6 = security_group_chains([{**DUAL, "rules": rules}], 6)
    assert v4[CHAIN] == [
        "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-s 10.0.0.0/24 -j ACCEPT",
        "-s 0.0.0.0/0 -p tcp --dport 80 -j ACCEPT",
        "-s 10.0.1.2/32 -p udp --dport 53 -j ACCEPT", "-j DROP"]
    assert v6[PORTS_CHAIN] == [f"-d {DUAL['address_v6']}/128 -j {CHAIN}"]
    assert v6[CHAIN] == [
        "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-p ipv6-icmp --icmpv6-type neighbour-solicitation -j ACCEPT",
        "-p ipv6-icmp --icmpv6-type neighbour-advertisement -j ACCEPT",
        "-p ipv6-icmp --icmpv6-type router-advertisement -j ACCEPT",
        "-s fd00:0:0:1::/64 -j ACCEPT", "-s fe80::/64 -j ACCEPT",
        "-s ::/0 -p tcp --dport 443 -j ACCEPT",
        "-s 2001:db8::/32 -p ipv6-icmp --icmpv6-type 128 -j ACCEPT",
        "-s fd00:0:0:1::9/128 -p udp --dport 53 -j ACCEPT", "-j DROP"]
    # A port without IPv6 gets no IPv6 ingress chain.
    assert security_group_chains([{**PORT, "rules": rules}], 6) == {PORTS_CHAIN: []}


def test_a_port_sends_ipv6_only_from_its_own_addresses_and_never_advertises_routes() -> None:
    from network_agent.port_chains import spoofing_chains
    chains = spoofing_chains([DUAL], 6)
    assert chains["stratus-o-0f1e2d3c4b5a"] == [
        "-p ipv6-icmp --icmpv6-type router-advertisement -j DROP",
        "-p ipv6-icmp --icmpv6-type redirect -j DROP",
        "-s ::/128 -p ipv6-icmp -j RETURN",
        "-s fe80::/64 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN",
        f"-s {DUAL['address_v6']}/128 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN",
        "-j DROP"]
    # Without an IPv6 address: link-local only.
    assert spoofing_chains([{**DUAL, "address_v6": None}], 6)["stratus-o-0f1e2d3c4b5a"][-2:] \
        == ["-s fe80::/64 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN", "-j DROP"]


def test_a_port_with_two_addresses_may_send_from_both() -> None:
    from network_agent.port_chains import spoofing_chains
    second = {**DUAL, "address": "10.0.0.6"}
    chain = spoofing_chains([DUAL, second])["stratus-o-0f1e2d3c4b5a"]
    assert chain[1:] == ["-s 10.0.0.5/32 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN",
                         "-s 10.0.0.6/32 -m mac --mac-source fa:16:3e:00:00:01 -j RETURN",
                         "-j DROP"]
