"""A data plane in memory, for tests (placeholder until the full fake lands)."""
from __future__ import annotations

import pathlib
from typing import Any

from network_agent.driver import DhcpHost, DhcpRange, Firewall, NetworkDriver


class FakeNetDriver(NetworkDriver):
    def __init__(self, netns: str | None, state_dir: pathlib.Path | None = None) -> None:
        super().__init__(netns)
        self.bridges: dict[str, dict[str, Any]] = {}
        self.dhcp: dict[str, dict[str, Any]] = {}
        self.forwarding = False

    def ensure_bridge(self, bridge: str, *, addresses: list[str], mtu: int | None = None,
                      interface: str | None = None) -> None:
        self.bridges[bridge] = {"addresses": list(addresses), "mtu": mtu,
                                "interface": interface}

    def ensure_vxlan(self, bridge: str, *, vni: int, underlay: str, local_ip: str,
                     remotes: list[str], mtu: int = 1450, port: int = 4789) -> None:
        self.bridges.setdefault(bridge, {})["vxlan"] = vni

    def vlan_supported(self) -> str | None:
        return None

    def ensure_vlan(self, bridge: str, *, vlan: int, interface: str,
                    mtu: int | None = None) -> None:
        self.bridges.setdefault(bridge, {})["vlan"] = vlan

    def delete_bridge(self, bridge: str) -> None:
        self.bridges.pop(bridge, None)

    def update_dhcp(self, network_id: str, *, bridge: str, hosts: list[DhcpHost],
                    ranges: list[DhcpRange], dns_servers: list[str], mtu: int | None,
                    lease_time: int = 120, domain: str | None = None,
                    config_file: str | None = None, ipv6_ra: bool = False) -> None:
        self.dhcp[network_id] = {"bridge": bridge, "hosts": list(hosts)}

    def stop_dhcp(self, network_id: str) -> None:
        self.dhcp.pop(network_id, None)

    def set_forwarding(self, enabled: bool) -> None:
        self.forwarding = enabled

    def apply_firewall(self, ipv4: Firewall, ipv6: Firewall | None = None) -> None:
        pass
