"""Wire contract of the conductor's network domain (topic `conductor_network`): networks,
fixed IPs and virtual interfaces, and what each host's network agent serves.

Version history:
  1.0 - networks (create, get, list, update, delete, project scrub), fixed IPs (show,
        reserve), virtual interfaces, and the network agents' reads (host_config,
        network_config).
"""
from __future__ import annotations

from typing import Any

from stratus.context import RequestContext
from stratus.rpc import RPCAPI, call

Record = dict[str, Any]


class NetworkConductorAPI(RPCAPI):
    TOPIC = "conductor_network"
    VERSION = "1.0"

    # --- networks -----------------------------------------------------------------------

    @call("1.0")
    def network_create(self, ctx: RequestContext, *, values: Record) -> Record:
        """A new network from an admin's values (label, cidr, cidr_v6, bridge,
        bridge_interface, vlan, vni, multi_host, dns1, dns2, gateway, dhcp_start,
        project_id, mtu, enable_dhcp, priority); 400 on bad or overlapping ranges."""

    @call("1.0")
    def network_get(self, ctx: RequestContext, *, network_uuid: str,
                    project_id: str | None = None) -> Record:
        """One network (one the project may use, when a project is given)."""

    @call("1.0")
    def network_list(self, ctx: RequestContext, *, project_id: str | None = None,
                     shared: bool = True) -> list[Record]:
        """Networks: all, or the project's (with the shared ones when `shared`)."""

    @call("1.0")
    def network_update(self, ctx: RequestContext, *, network_uuid: str,
                       values: Record) -> Record:
        """Associate a network with a project or host, or take it off (None)."""

    @call("1.0")
    def network_delete(self, ctx: RequestContext, *, network_uuid: str) -> None:
        """Delete a network no server has an address in (409 otherwise)."""

    @call("1.0")
    def project_scrub(self, ctx: RequestContext, *, project_id: str) -> list[Record]:
        """Delete the project's networks; the networks deleted."""

    # --- fixed IPs and interfaces --------------------------------------------------------

    @call("1.0")
    def fixed_ip_get(self, ctx: RequestContext, *, address: str) -> Record:
        """An address of a network: its network, reservation and server."""

    @call("1.0")
    def fixed_ip_reserve(self, ctx: RequestContext, *, address: str,
                         reserved: bool) -> None:
        """Keep an address from allocation, or give it back."""

    @call("1.0")
    def virtual_interface_list(self, ctx: RequestContext, *,
                               instance_uuid: str) -> list[Record]:
        """The server's NICs (id, MAC, network), in order."""

    # --- the network agents' reads -------------------------------------------------------

    @call("1.0")
    def host_config(self, ctx: RequestContext, *, host: str) -> list[Record]:
        """Every network the host's agent plumbs, with the DHCP hosts it serves."""

    @call("1.0")
    def network_config(self, ctx: RequestContext, *, network_uuid: str,
                       host: str) -> Record:
        """One network as the host's agent plumbs it, with its DHCP hosts there."""
