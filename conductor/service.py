"""The conductor as a launcher plugin (entry point `stratus.services: conductor`)."""
from __future__ import annotations

from conductor.manager import endpoints
from conductor.rpcapi import ConductorSchedulingAPI
from stratus import launcher
from stratus.config import CONF
from stratus.plugins import ServicePlugin
from stratus.service import Service


def services() -> list[Service]:
    """The conductor on its two topics; it is the registry, so it waits for nobody."""
    return [Service("stratus-conductor", "conductor", CONF.host, endpoints(),
                    extra_topics=(ConductorSchedulingAPI.TOPIC,), wait_for_registry=False)]


PLUGIN = ServicePlugin(name="conductor", rpc_services=services, start_order=0)


def main() -> None:
    """stratus-conductor: the conductor service on its own."""
    launcher.main(["conductor"])
