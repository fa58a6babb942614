"""The embedded cloud with real guests on real networks, for the slow tests: a private
libvirtd in a network namespace made for the test, the Linux network agent in that same
namespace, the test guest image built and uploaded; all of it removed at the end."""
from __future__ import annotations

import contextlib
import subprocess
import uuid
from collections.abc import Callable, Iterator

import pytest

from compute_agent.virt.libvirt import private_daemon
from tests.functional.embedded import EmbeddedCloud

Cloud = tuple[EmbeddedCloud, private_daemon.PrivateLibvirtd]


@contextlib.contextmanager
def guest_cloud(tmp_path_factory: pytest.TempPathFactory, name: str, port_base: int,
                env: dict[str, str] | None = None,
                before_start: Callable[[str], None] | None = None,
                after_start: Callable[[EmbeddedCloud], None] | None = None
                ) -> Iterator[Cloud]:
    """The cloud and its libvirtd, in namespace stratus-<name>-<random>; `before_start`
    gets the namespace once it exists, `after_start` the running cloud."""
    why = private_daemon.usable()
    if why:
        pytest.skip(f"LIBVIRT UNUSABLE HERE: {why}")
    base = tmp_path_factory.mktemp(f"guests-{name}")
    netns = f"stratus-{name}-{uuid.uuid4().hex[:6]}"
    daemon = private_daemon.PrivateLibvirtd(base / "libvirtd", netns, port_base).start()
    cloud = EmbeddedCloud(base / "state", {
        "OS_COMPUTE__VIRT_DRIVER": "libvirt", "OS_LIBVIRT__CONNECTION_URI": daemon.uri,
        "OS_NETWORK__NETWORK_NAMESPACE": netns, "OS_NETWORK__DRIVER": "linux",
        "OS_NETWORK__DHCP_FILES_PATH": f"/tmp/{netns}-dhcp", **(env or {})})
    try:
        if before_start is not None:
            before_start(netns)
        cloud.start()
        if after_start is not None:
            after_start(cloud)
        cloud.run("stratus", "image", "build-test-guest", "--clouds-yaml",
                  str(cloud.clouds_yaml))
        yield cloud, daemon
    finally:
        cloud.stop()
        daemon.stop()  # removes the namespace and everything in it
        subprocess.run(["rm", "-rf", f"/tmp/{netns}-dhcp"], check=False)
