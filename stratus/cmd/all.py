"""stratus-all: every service in one process (the embedded mode)."""
from __future__ import annotations

import logging

from stratus import launcher
from stratus.cmd import prepare
from stratus.config import CONF

LOG = logging.getLogger("stratus-all")


def main() -> None:
    prepare()
    services = [launcher.conductor_service(), launcher.scheduler_service(),
                *launcher.compute_services()]
    LOG.info("Stratus all-in-one: %d compute host(s) with the %s driver, bus %s, "
             "database %s", len(services) - 2, CONF.compute.virt_driver,
             CONF.transport_url.split(":")[0], CONF.database.connection.split(":")[0])
    launcher.run_services(services, apis=("identity", "image", "compute"))
