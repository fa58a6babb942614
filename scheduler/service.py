"""The scheduler as a launcher plugin (entry point `stratus.services: scheduler`)."""
from __future__ import annotations

from scheduler.manager import SchedulerManager
from stratus import launcher
from stratus.config import CONF
from stratus.plugins import ServicePlugin
from stratus.service import Service


def services() -> list[Service]:
    return [Service("stratus-scheduler", "scheduler", CONF.host, [SchedulerManager()])]


PLUGIN = ServicePlugin(name="scheduler", rpc_services=services, start_order=10)


def main() -> None:
    """stratus-scheduler: the scheduler service on its own."""
    launcher.main(["scheduler"])
