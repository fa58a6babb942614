"""Wire contract of a network agent (topic `network`, server = its host): the data plane
of that host's networks (bridges, VXLAN or VLAN links, dnsmasq, iptables).

Version history:
  1.0 - setup_instance_network, refresh_network, refresh_host, networks_changed,
        security_groups_changed.
"""
from __future__ import annotations

from typing import Any

from stratus.context import RequestContext
from stratus.rpc import RPCAPI, call, cast, fanout


# The agents' service binary, as os-services lists them.
BINARY = "stratus-network"


class NetworkAgentAPI(RPCAPI):
    TOPIC = "network"
    VERSION = "1.0"

    @call("1.0", server="host")
    def setup_instance_network(self, ctx: RequestContext, *, host: str,
                               network_info: list[dict[str, Any]]) -> None:
        """Plumb the networks of a server about to start on `host` (bridges, segment
        links, its DHCP entries); answers when its NICs can be attached."""

    @cast("1.0", server="host")
    def refresh_network(self, ctx: RequestContext, *, host: str, network_uuid: str) -> None:
        """Re-read one network's configuration (a server joined or left it)."""

    @cast("1.0", server="host")
    def refresh_host(self, ctx: RequestContext, *, host: str) -> None:
        """Re-read the host's whole configuration (a floating IP of one of its servers
        was associated or disassociated)."""

    @fanout("1.0")
    def networks_changed(self, ctx: RequestContext) -> None:
        """Every agent re-reads its host's whole configuration."""

    @fanout("1.0")
    def security_groups_changed(self, ctx: RequestContext) -> None:
        """Every agent re-reads the security group rules of its servers' ports and
        re-applies its chains."""
