"""The Linux data plane: bridges, VXLAN, dnsmasq and iptables in one network namespace,
every change made through network_agent.privileged."""
from __future__ import annotations

import dataclasses
import pathlib
import shutil
import threading

from network_agent import privileged
from network_agent.driver import DhcpHost, DhcpRange, Firewall, NetworkDriver, \
    NetworkDriverError


_PRIVSEP = threading.Lock()
_HAS_EBTABLES = shutil.which("ebtables-restore") is not None


def _start_privsep() -> None:
    """The privileged helper, once per process (its `privsep-helper` daemon)."""
    with _PRIVSEP:
        if privileged.net_admin.channel is None:
            privileged.start()


class LinuxNetDriver(NetworkDriver):
    def __init__(self, netns: str | None, state_dir: pathlib.Path) -> None:
        super().__init__(netns)
        _start_privsep()
        self.state_dir = pathlib.Path(state_dir).absolute()
        self._vlan_reason: tuple[str | None] | None = None  # probed once

    def ensure_bridge(self, bridge: str, *, addresses: list[str], mtu: int | None = None,
                      interface: str | None = None) -> None:
        privileged.ensure_bridge(self.netns, bridge, list(addresses), mtu, interface)

    def ensure_vxlan(self, bridge: str, *, vni: int, underlay: str, local_ip: str,
                     remotes: list[str], mtu: int = 1450, port: int = 4789) -> None:
        privileged.ensure_vxlan(self.netns, bridge, vni, underlay, local_ip, list(remotes),
                                mtu, port)

    def vlan_supported(self) -> str | None:
        if self._vlan_reason is None:
            self._vlan_reason = (privileged.vlan_supported(self.netns),)
        return self._vlan_reason[0]

    def ensure_vlan(self, bridge: str, *, vlan: int, interface: str,
                    mtu: int | None = None) -> None:
        reason = self.vlan_supported()
        if reason is not None:
            raise NetworkDriverError(f"cannot put VLAN {vlan} on {interface}: {reason}")
        privileged.ensure_vlan(self.netns, bridge, vlan, interface, mtu)

    def delete_bridge(self, bridge: str) -> None:
        privileged.delete_bridge(self.netns, bridge)

    def update_dhcp(self, network_id: str, *, bridge: str, hosts: list[DhcpHost],
                    ranges: list[DhcpRange], dns_servers: list[str], mtu: int | None,
                    lease_time: int = 120, domain: str | None = None,
                    config_file: str | None = None, ipv6_ra: bool = False) -> None:
        privileged.update_dhcp(
            self.netns, str(self.state_dir), network_id, bridge,
            [dataclasses.asdict(h) for h in hosts], [dataclasses.asdict(r) for r in ranges],
            list(dns_servers), mtu, lease_time, domain, config_file, ipv6_ra)

    def stop_dhcp(self, network_id: str) -> None:
        privileged.stop_dhcp(self.netns, str(self.state_dir), network_id)

    def dhcp_pid(self, network_id: str) -> int | None:
        """The pid of the network's running dnsmasq (None when none runs)."""
        return privileged.dhcp_pid(str(self.state_dir), network_id)

    def set_forwarding(self, enabled: bool) -> None:
        privileged.set_forwarding(self.netns, enabled)

    def set_floating_addresses(self, interface: str, addresses: list[str]) -> None:
        privileged.set_floating_addresses(self.netns, interface, list(addresses))

    def apply_firewall(self, ipv4: Firewall, ipv6: Firewall | None = None,
                       bridging: Firewall | None = None) -> None:
        # One after the other: side by side took as long (each nf_tables commit waits
        # for the kernel's, see docs/benchmarks.md).
        for family, wanted in (("ipv4", ipv4), ("ipv6", ipv6), ("bridge", bridging)):
            wanted = wanted or Firewall()
            if family == "bridge" and wanted == Firewall() and not _HAS_EBTABLES:
                continue  # nothing to filter on bridges, and no ebtables to ask
            privileged.apply_firewall(self.netns, family, wanted.chains, wanted.jumps)

    def ensure_metadata_proxy(self, port: int, socket_path: str) -> None:
        privileged.ensure_metadata_proxy(self.netns, str(self.state_dir), port, socket_path)

    def interface_address(self, interface: str) -> str | None:
        return privileged.interface_address(self.netns, interface)
