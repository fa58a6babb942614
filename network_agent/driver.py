"""The narrow interface between the network agent and a host's data plane.

A driver works inside one network namespace (`netns`, given at construction; None is
the process's own namespace, used only in production). The Linux driver
(network_agent.linux_net) does it with bridges, VXLAN, dnsmasq and iptables; the fake
(network_agent.fake_net) keeps the same state in memory for the agent's unit tests.
"""
from __future__ import annotations

import abc
import dataclasses

# The agent owns the iptables chains whose names start with this, and only those.
CHAIN_PREFIX = "stratus-"


class NetworkDriverError(Exception):
    """A data-plane operation failed or was refused; the message says which and why."""


@dataclasses.dataclass(frozen=True)
class DhcpHost:
    """One port's static lease: `ip` (IPv4) and optionally `ipv6` for `mac`."""
    mac: str
    hostname: str
    ip: str | None
    ipv6: str | None = None


@dataclasses.dataclass(frozen=True)
class DhcpRange:
    """A subnet dnsmasq serves static leases on; `tag` names it in dnsmasq options,
    `gateway` (IPv4 subnets) is handed out as the router."""
    start_address: str
    prefix_len: int
    tag: str
    gateway: str | None = None


@dataclasses.dataclass
class Firewall:
    """The complete desired content of the agent's iptables chains for one address
    family.

    chains: table ("filter", "nat", "mangle", "raw") -> chain (named CHAIN_PREFIX...) ->
        its rules in order, each as `iptables -A CHAIN` would take it without
        `-A CHAIN`, e.g. "-d 169.254.169.254/32 -p tcp --dport 80 -j DNAT --to 10.0.0.1:80".
    jumps: table -> builtin chain ("PREROUTING", "FORWARD", ...) -> rules put first in
        that builtin chain, in order, each jumping (-j or -g) into one of our chains,
        e.g. {"nat": {"PREROUTING": ["-j stratus-PREROUTING"]}}.

    Applying it makes our chains exactly this: missing ones created, ours not listed
    deleted, our jumps in builtin chains replaced; every other rule and chain stays.
    """
    chains: dict[str, dict[str, list[str]]] = dataclasses.field(default_factory=dict)
    jumps: dict[str, dict[str, list[str]]] = dataclasses.field(default_factory=dict)


class NetworkDriver(abc.ABC):
    def __init__(self, netns: str | None) -> None:
        self.netns = netns

    @abc.abstractmethod
    def ensure_bridge(self, bridge: str, *, addresses: list[str], mtu: int | None = None,
                      interface: str | None = None) -> None:
        """Create `bridge` if missing and set it up with exactly `addresses` (CIDRs,
        IPv4 or IPv6; IPv6 link-local ones the kernel adds are left alone), `mtu` when
        given, and `interface` enslaved when given and present."""

    @abc.abstractmethod
    def ensure_vxlan(self, bridge: str, *, vni: int, underlay: str, local_ip: str,
                     remotes: list[str], mtu: int = 1450, port: int = 4789) -> None:
        """A VXLAN link `vx-<vni>` over `underlay`, enslaved to `bridge`, flooding to
        exactly `remotes` (unicast VTEPs, no multicast)."""

    @abc.abstractmethod
    def vlan_supported(self) -> str | None:
        """None when 802.1Q links can be made here, else a one-line reason why not."""

    @abc.abstractmethod
    def ensure_vlan(self, bridge: str, *, vlan: int, interface: str,
                    mtu: int | None = None) -> None:
        """An 802.1Q link `<interface>.<vlan>` enslaved to `bridge`; raises
        NetworkDriverError with vlan_supported()'s reason where the kernel has none."""

    @abc.abstractmethod
    def delete_bridge(self, bridge: str) -> None:
        """Remove `bridge` and its VXLAN or VLAN link; a missing bridge is fine."""

    @abc.abstractmethod
    def update_dhcp(self, network_id: str, *, bridge: str, hosts: list[DhcpHost],
                    ranges: list[DhcpRange], dns_servers: list[str], mtu: int | None,
                    lease_time: int = 120, domain: str | None = None,
                    config_file: str | None = None, ipv6_ra: bool = False) -> None:
        """Serve `hosts` their static leases on `bridge`: start dnsmasq for the network
        when none runs, reload its hosts (SIGHUP) when only they changed, restart it when
        its options changed."""

    @abc.abstractmethod
    def stop_dhcp(self, network_id: str) -> None:
        """Stop the network's dnsmasq and remove its files; none running is fine."""

    @abc.abstractmethod
    def set_forwarding(self, enabled: bool) -> None:
        """IPv4 and IPv6 forwarding in the namespace, on or off."""

    @abc.abstractmethod
    def set_floating_addresses(self, interface: str, addresses: list[str]) -> None:
        """Make the host-prefix addresses (/32, /128) on `interface` exactly `addresses`
        (floating IPs), leaving its other addresses alone."""

    @abc.abstractmethod
    def apply_firewall(self, ipv4: Firewall, ipv6: Firewall | None = None,
                       bridging: Firewall | None = None) -> None:
        """Make the agent's chains exactly `ipv4` (iptables), `ipv6` (ip6tables) and
        `bridging` (ebtables; None is no chains), each family in one atomic restore."""

    @abc.abstractmethod
    def ensure_metadata_proxy(self, port: int, socket_path: str) -> None:
        """The metadata proxy (network_agent.metadata_proxy) listening on `port` in the
        namespace, passing guests' requests to the metadata API's unix socket."""

    @abc.abstractmethod
    def interface_address(self, interface: str) -> str | None:
        """The first IPv4 address of `interface` (else IPv6), None when it has none."""
