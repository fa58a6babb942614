"""The conductor as a launcher plugin (entry point `stratus.services: conductor`)."""
from __future__ import annotations

from conductor.compute.build_watchdog import BuildWatchdog
from conductor.manager import topics
from conductor.rpcapi import release1
from stratus import launcher
from stratus.config import CONF
from stratus.plugins import ServicePlugin
from stratus.service import Service


def services() -> list[Service]:
    """The conductor on each domain's topic (and the previous release's), with the build
    watchdog; it is the registry, so it waits for nobody."""
    by_topic = topics()
    main = by_topic.pop(release1.TOPIC)
    return [Service("stratus-conductor", release1.TOPIC, CONF.host, main,
                    extra_topics=by_topic, wait_for_registry=False,
                    background=[BuildWatchdog()])]


PLUGIN = ServicePlugin(name="conductor", rpc_services=services, start_order=0)


def main() -> None:
    """stratus-conductor: the conductor service on its own."""
    launcher.main(["conductor"])
