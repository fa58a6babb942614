"""The network agent as a launcher plugin (entry point `stratus.services: network_agent`):
one agent beside each compute agent of this process, on the same host name."""
from __future__ import annotations

from compute_agent.service import host_names
from network_agent.manager import NetworkManager
from network_agent.rpcapi import BINARY
from stratus import launcher
from stratus.plugins import ServicePlugin
from stratus.service import Service


def services() -> list[Service]:
    return [Service(BINARY, "network", host, [NetworkManager(host)])
            for host in host_names()]


PLUGIN = ServicePlugin(name="network_agent", rpc_services=services, start_order=15)


def main() -> None:
    """stratus-network: the network agent(s) of this host."""
    launcher.main(["network_agent"])
