"""Service-group drivers db, mc (memcached) and zk (ZooKeeper): os-services shows who is
up, the scheduler never places on a down host, and a killed process goes down by itself
within service_down_time (seed 5.4.12)."""
from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from stratus.config import CONF
from tests.functional.conftest import Cloud
from tests.functional.servers import memcached, zookeeper

DOWN_TIME = 3
REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(params=["db", "mc", "zk"])
def backend(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[str]:
    """The driver, with its server started and the options that point at it."""
    name = request.param
    overrides: list[tuple[str, Any, str | None]] = [
        ("servicegroup_driver", name, None), ("service_down_time", DOWN_TIME, None),
        ("report_interval", 1, None), ("host_state_ttl", 0.0, "scheduler")]
    if name == "mc":
        server = memcached()
    elif name == "zk":
        server = zookeeper(str(tmp_path / "zk"))
    else:
        server = None
    address = server.__enter__() if server is not None else ""
    if name == "mc":
        overrides.append(("servers", [address], "memcache"))
    elif name == "zk":
        overrides.append(("address", address, "zookeeper"))
    for key, value, group in overrides:
        CONF.set_override(key, value, group=group)
    try:
        yield name
    finally:
        from stratus import servicegroup
        servicegroup.reset()
        for key, _value, group in overrides:
            CONF.clear_override(key, group=group)
        if server is not None:
            server.__exit__(None, None, None)


@pytest.fixture
def sg_cloud(backend: str, cloud: Cloud) -> Cloud:
    return cloud


def _states(cloud: Cloud, headers: dict[str, str]) -> dict[str, str]:
    services = cloud.compute.get("/v2.1/os-services?binary=stratus-compute",
                                 headers=headers).json()["services"]
    return {s["host"]: s["state"] for s in services}


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_down_host_is_shown_and_skipped(backend: str, sg_cloud: Cloud) -> None:
    cloud, admin = sg_cloud, sg_cloud.headers()
    assert _states(cloud, admin) == {"testhost": "up", "testhost-2": "up"}
    image = cloud.create_image(admin)["id"]
    second = [s for s in cloud.services if getattr(s, "host", "") == "testhost-2"
              and s.binary == "stratus-compute"][0]
    second.stop()
    deadline = time.monotonic() + DOWN_TIME + 3
    while _states(cloud, admin)["testhost-2"] != "down":
        assert time.monotonic() < deadline, "the stopped compute service never went down"
        time.sleep(0.2)
    assert _states(cloud, admin)["testhost"] == "up"
    servers = [cloud.wait_for_server(admin, cloud.boot(admin, image)["id"])
               for _ in range(4)]
    assert [(s["status"], s["OS-EXT-SRV-ATTR:host"]) for s in servers] == \
        [("ACTIVE", "testhost")] * 4, [s.get("fault") for s in servers]


CRASHING_REPORTER = """
import sys, time
sys.path.insert(0, {repo!r})
from stratus.config import CONF, parse_args
parse_args([], default_config_files=[])
CONF.set_override("servicegroup_driver", {name!r})
CONF.set_override("service_down_time", {down})
CONF.set_override("servers", [{address!r}], group="memcache")
CONF.set_override("address", {address!r}, group="zookeeper")
from stratus.servicegroup import get_driver
driver = get_driver()
driver._known.add(("ghost", "stratus-compute"))  # its services row is not the point here
driver.report(None, "ghost", "stratus-compute", "compute")
print("reported", flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("name", ["mc", "zk"])
def test_killed_process_goes_down_by_itself(name: str, tmp_path: pathlib.Path) -> None:
    """A reporter killed with SIGKILL leaves nothing behind that says it is up: its key
    expires (mc) or its session times out (zk) within service_down_time."""
    from stratus import servicegroup
    server = memcached() if name == "mc" else zookeeper(str(tmp_path / "zk"))
    with server as address:
        script = CRASHING_REPORTER.format(repo=str(REPO), name=name, down=DOWN_TIME,
                                          address=address)
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                 text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        overrides = [("servicegroup_driver", name, None),
                     ("service_down_time", DOWN_TIME, None),
                     ("servers", [address], "memcache"), ("address", address, "zookeeper")]
        for key, value, group in overrides:
            CONF.set_override(key, value, group=group)
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "reported"
            driver = servicegroup.get_driver()
            ghost = {"host": "ghost", "binary": "stratus-compute", "forced_down": False}
            assert driver.is_up(ghost)
            assert not driver.is_up({**ghost, "forced_down": True})
            child.send_signal(signal.SIGKILL)
            child.wait()
            killed = time.monotonic()
            while driver.is_up(ghost):
                assert time.monotonic() - killed < DOWN_TIME + 3, "still up after the kill"
                time.sleep(0.2)
            assert time.monotonic() - killed >= 0.5  # it was up until its time ran out
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            servicegroup.reset()
            for key, _value, group in overrides:
                CONF.clear_override(key, group=group)
