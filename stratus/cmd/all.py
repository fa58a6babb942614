"""stratus-all: every service in one process (the embedded mode)."""
from __future__ import annotations

import contextlib
import logging
import os
import pathlib
from collections.abc import Iterator

from stratus import launcher
from stratus.cmd import prepare
from stratus.config import CONF

LOG = logging.getLogger("stratus-all")


def choose_virt_driver() -> None:
    """Resolve `virt_driver = auto`: libvirt where it can run here, else fake (said loudly)."""
    if CONF.compute.virt_driver != "auto":
        return
    from compute_agent.virt.libvirt.private_daemon import usable
    why = usable()
    if why:
        LOG.warning("FALLING BACK TO THE FAKE VIRT DRIVER: %s. Servers will not be real "
                    "guests; install libvirt and qemu (make host-packages) for real ones.", why)
        CONF.set_override("virt_driver", "fake", group="compute")
    else:
        CONF.set_override("virt_driver", "libvirt", group="compute")
        CONF.set_override("private_daemon", True, group="libvirt")


@contextlib.contextmanager
def private_libvirtd() -> Iterator[None]:
    """Our own libvirtd for the libvirt driver, when configured, for the process's life."""
    if CONF.compute.virt_driver != "libvirt" or not CONF.libvirt.private_daemon:
        yield
        return
    from compute_agent.virt.libvirt.private_daemon import PrivateLibvirtd
    base = pathlib.Path(os.path.abspath(CONF.state_path)) / "libvirtd"
    daemon = PrivateLibvirtd(base, f"stratus-{os.getpid()}").start()
    CONF.set_override("connection_uri", daemon.uri, group="libvirt")
    LOG.info("Started a private libvirtd (%s) in network namespace %s", daemon.uri,
             daemon.netns)
    try:
        yield
    finally:
        daemon.stop()
        LOG.info("Stopped the private libvirtd and removed namespace %s", daemon.netns)


def main() -> None:
    prepare()
    choose_virt_driver()
    with private_libvirtd():
        services = [launcher.conductor_service(), launcher.scheduler_service(),
                    *launcher.compute_services()]
        LOG.info("Stratus all-in-one: %d compute host(s) with the %s driver, bus %s, "
                 "database %s", len(services) - 2, CONF.compute.virt_driver,
                 CONF.transport_url.split(":")[0], CONF.database.connection.split(":")[0])
        launcher.run_services(services, apis=("identity", "image", "compute"))
