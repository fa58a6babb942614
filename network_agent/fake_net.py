"""A data plane that keeps bridges, VXLAN links, DHCP hosts and firewall chains in
memory, validating its inputs as the Linux driver does, for the agent's unit tests."""
from __future__ import annotations

import dataclasses
import pathlib
import threading

from network_agent import dnsmasq, firewall, validate
from network_agent.driver import DhcpHost, DhcpRange, Firewall, NetworkDriver, \
    NetworkDriverError


@dataclasses.dataclass
class FakeBridge:
    addresses: list[str]
    mtu: int | None
    ports: set[str] = dataclasses.field(default_factory=set)


@dataclasses.dataclass
class FakeTunnel:
    """A vxlan (vni set) or vlan (vlan set) link enslaved to `bridge`."""
    bridge: str
    interface: str
    vni: int | None = None
    vlan: int | None = None
    local_ip: str | None = None
    remotes: list[str] = dataclasses.field(default_factory=list)
    mtu: int | None = None
    port: int | None = None


@dataclasses.dataclass
class FakeDhcp:
    bridge: str
    hosts: list[DhcpHost]
    options: dict[str, object]
    starts: int = 1  # how many times "dnsmasq" was (re)started
    reloads: int = 0  # how many SIGHUPs it got


class FakeNetDriver(NetworkDriver):
    def __init__(self, netns: str | None = None, state_dir: pathlib.Path | None = None, *,
                 vlan_reason: str | None = None,
                 interfaces: set[str] | None = None) -> None:
        super().__init__(netns)
        self._lock = threading.Lock()
        self._vlan_reason = vlan_reason
        self.interfaces = set(interfaces or ())  # devices that exist besides ours
        self.bridges: dict[str, FakeBridge] = {}
        self.tunnels: dict[str, FakeTunnel] = {}
        self.dhcp: dict[str, FakeDhcp] = {}
        self.forwarding = False
        self.metadata_proxy: tuple[int, str] | None = None  # its port and upstream socket
        self.floating: dict[str, list[str]] = {}  # interface -> its floating addresses
        # Family 4 (iptables), 6 (ip6tables), 0 (ebtables).
        self.firewalls: dict[int, Firewall] = {4: Firewall(), 6: Firewall(), 0: Firewall()}
        self.addresses: dict[str, str] = {}  # interface -> its address

    def ensure_bridge(self, bridge: str, *, addresses: list[str], mtu: int | None = None,
                      interface: str | None = None) -> None:
        validate.ifname(bridge)
        wanted = [str(validate.cidr(a)) for a in addresses]
        with self._lock:
            br = self.bridges.setdefault(bridge, FakeBridge(addresses=[], mtu=None))
            br.addresses = wanted
            br.mtu = validate.mtu(mtu) if mtu is not None else br.mtu
            if interface is not None and validate.ifname(interface) in self.interfaces:
                br.ports.add(interface)

    def ensure_vxlan(self, bridge: str, *, vni: int, underlay: str, local_ip: str,
                     remotes: list[str], mtu: int = 1450, port: int = 4789) -> None:
        vni = validate.integer(vni, 1, 2**24 - 1, "VXLAN VNI")
        tunnel = FakeTunnel(bridge=bridge, interface=validate.ifname(underlay), vni=vni,
                            local_ip=validate.ip(local_ip),
                            remotes=sorted(validate.ip(r) for r in remotes),
                            mtu=validate.mtu(mtu),
                            port=validate.integer(port, 1, 65535, "VXLAN port"))
        self._attach(f"vx-{vni}", tunnel)

    def vlan_supported(self) -> str | None:
        return self._vlan_reason

    def ensure_vlan(self, bridge: str, *, vlan: int, interface: str,
                    mtu: int | None = None) -> None:
        if self._vlan_reason is not None:
            raise NetworkDriverError(f"cannot put VLAN {vlan} on {interface}: "
                                     f"{self._vlan_reason}")
        tunnel = FakeTunnel(bridge=bridge, interface=validate.ifname(interface),
                            vlan=validate.integer(vlan, 1, 4094, "VLAN id"),
                            mtu=None if mtu is None else validate.mtu(mtu))
        self._attach(validate.ifname(f"{interface}.{vlan}"), tunnel)

    def _attach(self, name: str, tunnel: FakeTunnel) -> None:
        with self._lock:
            if tunnel.bridge not in self.bridges:
                raise NetworkDriverError(f"bridge {tunnel.bridge} does not exist")
            self.tunnels[name] = tunnel
            self.bridges[tunnel.bridge].ports.add(name)

    def delete_bridge(self, bridge: str) -> None:
        with self._lock:
            self.bridges.pop(bridge, None)
            for name in [n for n, t in self.tunnels.items() if t.bridge == bridge]:
                del self.tunnels[name]

    def update_dhcp(self, network_id: str, *, bridge: str, hosts: list[DhcpHost],
                    ranges: list[DhcpRange], dns_servers: list[str], mtu: int | None,
                    lease_time: int = 120, domain: str | None = None,
                    config_file: str | None = None, ipv6_ra: bool = False) -> None:
        validate.network_id(network_id)
        dnsmasq.hosts_file(hosts)  # validates them
        options: dict[str, object] = {
            "argv": dnsmasq.command(
                dnsmasq.Paths.of("/fake", network_id), bridge=bridge, ranges=ranges,
                dns_servers=dns_servers, mtu=mtu, lease_time=lease_time, domain=domain,
                config_file=config_file, ipv6_ra=ipv6_ra)}
        with self._lock:
            running = self.dhcp.get(network_id)
            if running is None or running.options != options:
                starts = running.starts + 1 if running else 1
                self.dhcp[network_id] = FakeDhcp(bridge, list(hosts), options, starts)
            else:
                running.hosts, running.reloads = list(hosts), running.reloads + 1

    def stop_dhcp(self, network_id: str) -> None:
        with self._lock:
            self.dhcp.pop(network_id, None)

    def set_forwarding(self, enabled: bool) -> None:
        self.forwarding = bool(enabled)

    def set_floating_addresses(self, interface: str, addresses: list[str]) -> None:
        validate.ifname(interface)
        wanted = [validate.ip(a) for a in addresses]
        with self._lock:
            self.floating[interface] = wanted

    def apply_firewall(self, ipv4: Firewall, ipv6: Firewall | None = None,
                       bridging: Firewall | None = None) -> None:
        checked = {4: firewall.check(ipv4), 6: firewall.check(ipv6 or Firewall()),
                   0: firewall.check(bridging or Firewall(), bridge=True)}
        with self._lock:
            self.firewalls = checked

    def ensure_metadata_proxy(self, port: int, socket_path: str) -> None:
        self.metadata_proxy = (validate.integer(port, 1, 65535, "metadata proxy port"),
                               validate.abs_path(socket_path, "metadata socket"))

    def interface_address(self, interface: str) -> str | None:
        return self.addresses.get(validate.ifname(interface))

    # --- inspection helpers for tests --------------------------------------------

    def dhcp_hosts(self, network_id: str) -> list[DhcpHost]:
        with self._lock:
            running = self.dhcp.get(network_id)
            return list(running.hosts) if running else []

    def chain(self, table: str, chain: str, family: int = 4) -> list[str] | None:
        """The rules of one of our chains (family 0: ebtables); None when it does not
        exist."""
        with self._lock:
            rules = self.firewalls[family].chains.get(table, {}).get(chain)
            return None if rules is None else list(rules)

    def jumps(self, table: str, builtin: str, family: int = 4) -> list[str]:
        with self._lock:
            return list(self.firewalls[family].jumps.get(table, {}).get(builtin, []))
