"""The compute agent as a launcher plugin (entry point `stratus.services: compute_agent`):
one agent per host name of this process ([fake] host_count of them with the fake driver)."""
from __future__ import annotations

import contextlib
import logging
import os
import pathlib
from collections.abc import Iterator

from compute_agent.manager import ComputeManager
from stratus import launcher
from stratus.config import CONF
from stratus.plugins import ServicePlugin
from stratus.service import Service

LOG = logging.getLogger(__name__)


def host_names() -> list[str]:
    if CONF.compute.virt_driver == "libvirt":
        return [CONF.host]
    return [CONF.host] + [f"{CONF.host}-{i}" for i in range(2, CONF.fake.host_count + 1)]


def services() -> list[Service]:
    return [Service("stratus-compute", "compute", host, [ComputeManager(host)])
            for host in host_names()]


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
    if not CONF.network.network_namespace:
        # Guests' taps appear in libvirtd's namespace: their bridges must live there too.
        CONF.set_override("network_namespace", daemon.netns, group="network")
    LOG.info("Started a private libvirtd (%s) in network namespace %s", daemon.uri,
             daemon.netns)
    try:
        yield
    finally:
        daemon.stop()
        LOG.info("Stopped the private libvirtd and removed namespace %s", daemon.netns)


@contextlib.contextmanager
def embedded() -> Iterator[None]:
    """Around stratus-all: `virt_driver = auto` resolved, a private libvirtd if needed."""
    choose_virt_driver()
    with private_libvirtd():
        LOG.info("%d compute host(s) with the %s driver", len(host_names()),
                 CONF.compute.virt_driver)
        yield


PLUGIN = ServicePlugin(name="compute_agent", rpc_services=services, start_order=20,
                       embedded=embedded)


def main() -> None:
    """stratus-compute: the compute agent(s) of this host."""
    launcher.main(["compute_agent"])
