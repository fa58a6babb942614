"""Faults the distributed mode survives: the broker, a compute agent, the conductor and
the database going away mid-work (multi-process, real RabbitMQ and MariaDB, fake virt).

These tests stop and start the machine's own RabbitMQ and MariaDB (and leave them
running), so `make test` runs this file on its own, after the parallel run."""
from __future__ import annotations

import concurrent.futures
import contextlib
import pathlib
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.distributed import Deployment
from tests.functional.servers import require, scratch_database, scratch_vhost

pytestmark = pytest.mark.slow


FAST_RECOVERY = "[conductor]\nbuild_check_interval = 1\nbuild_stall_timeout = 4\n"


@contextlib.contextmanager
def _deployment(tmp_path: pathlib.Path, spawn_delay: float,
                **kwargs: Any) -> Iterator[Deployment]:
    with scratch_database("mysql") as database, scratch_vhost() as transport:
        cloud = Deployment(tmp_path / "state", database, transport,
                           extra=f"[fake]\nspawn_delay = {spawn_delay}\n{FAST_RECOVERY}",
                           **kwargs)
        try:
            yield cloud.start()
        finally:
            cloud.stop()


@pytest.fixture
def deployment(tmp_path: pathlib.Path) -> Iterator[Deployment]:
    with _deployment(tmp_path, spawn_delay=5.0, computes=2) as cloud:
        yield cloud


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


def test_broker_restart_while_building(deployment: Deployment) -> None:
    """RabbitMQ stops for 10 s while 20 servers build: every one ends ACTIVE or ERROR (with
    a fault) within 60 s of the broker's return, and the services reconnect by themselves."""
    require("rabbit")
    deployment.set_quota(instances=100, cores=100, ram=1_000_000)
    image = deployment.create_image()
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(lambda i: deployment.boot(image, name=f"b{i}"), range(20)))
    ids = [r.json()["server"]["id"] for r in responses if r.status_code == 202]
    assert len(ids) == 20
    _rabbitmqctl("stop_app")
    try:
        time.sleep(10)
    finally:
        _rabbitmqctl("start_app")
    back = time.monotonic()
    servers = deployment.wait_servers(ids, timeout=60)
    settled = time.monotonic() - back
    for server in servers:
        assert server["status"] == "ACTIVE" or server.get("fault"), server
    print(f"settled {settled:.1f} s after the broker returned: "
          f"{sum(s['status'] == 'ACTIVE' for s in servers)} ACTIVE")
    # The services reconnect by themselves: the agents report up again, a new server builds.
    deployment.wait_ready(timeout=30)
    deadline = time.monotonic() + 30  # the API's first calls may meet a reconnecting bus
    while (resp := deployment.boot(image, name="after")).status_code != 202:
        assert time.monotonic() < deadline, resp.text
        time.sleep(1)
    built = deployment.wait_servers([resp.json()["server"]["id"]], timeout=30)[0]
    assert built["status"] == "ACTIVE", built.get("fault")


def _placed_on(deployment: Deployment, ids: list[str], host: str,
               timeout: float = 30) -> list[str]:
    """Ids of servers the scheduler put on `host` that are still building there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [s["id"] for s in deployment.servers()
                 if s["id"] in ids and s["OS-EXT-SRV-ATTR:host"] == host
                 and s["status"] == "BUILD"]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no build reached {host}")


def _evacuate(deployment: Deployment, server_id: str) -> Any:
    return deployment.post(f"/v2.1/servers/{server_id}/action", {"evacuate": {}})


def test_compute_agent_killed_mid_build(tmp_path: pathlib.Path) -> None:
    """kill -9 of a compute agent while it spawns: its builds are rescheduled (or end in
    ERROR with a fault), it shows down after service_down_time, and its servers can be
    evacuated then, not before."""
    with _deployment(tmp_path, spawn_delay=4.0, computes=2, down_time=4) as deployment:
        image = deployment.create_image()
        pinned = deployment.boot(image, name="pinned", availability_zone="nova:compute1")
        pinned_id = pinned.json()["server"]["id"]
        assert deployment.wait_servers([pinned_id], timeout=30)[0]["status"] == "ACTIVE"
        busy = _evacuate(deployment, pinned_id)
        assert busy.status_code == 409, busy.text
        assert "Compute service of compute1 is still in use" in busy.text

        ids = [deployment.boot(image, name=f"k{i}").json()["server"]["id"] for i in range(6)]
        doomed = _placed_on(deployment, ids, "compute1")
        deployment.kill("compute-1")
        killed = time.monotonic()
        servers = deployment.wait_servers(ids, timeout=60)
        for server in servers:
            assert server["status"] == "ACTIVE" or server.get("fault"), server
            if server["id"] in doomed and server["status"] == "ACTIVE":
                assert server["OS-EXT-SRV-ATTR:host"] == "compute2"
        states = {s["host"]: s["state"] for s in
                  deployment.get("/v2.1/os-services?binary=stratus-compute").json()["services"]}
        assert states == {"compute1": "down", "compute2": "up"}
        print(f"{len(doomed)} builds on the killed agent settled "
              f"{time.monotonic() - killed:.1f} s after the kill")

        moved = _evacuate(deployment, pinned_id)
        assert moved.status_code == 200, moved.text
        server = deployment.wait_servers([pinned_id], timeout=30, until=("ACTIVE", "ERROR"))[0]
        assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", "compute2")


def test_conductor_killed_and_restarted_during_boots(tmp_path: pathlib.Path) -> None:
    """kill -9 of the only conductor while boots arrive: calls in flight fail with 503
    and a clear message within the RPC timeout; after a restart every accepted server
    ends ACTIVE or ERROR, once each, and the hosts' usage matches the servers."""
    with _deployment(tmp_path, spawn_delay=0.5, computes=2, rpc_timeout=5) as deployment:
        image = deployment.create_image()
        deployment.set_quota(instances=100, cores=100, ram=1_000_000)

        def boot(i: int) -> tuple[int, float, str]:
            t0 = time.monotonic()
            resp = deployment.boot(image, name=f"c{i}")
            return resp.status_code, time.monotonic() - t0, resp.text

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(boot, i) for i in range(16)]
            time.sleep(0.3)
            deployment.kill("conductor-1")
            results = [f.result() for f in futures]
        failed = [r for r in results if r[0] != 202]
        for code, elapsed, text in failed:
            assert code == 503 and elapsed < 5 + 2, (code, elapsed, text)
            assert "conductor" in text
        deployment.start_service("conductor-1")
        deployment.wait_ready()
        accepted = [i for i, r in enumerate(results) if r[0] == 202]
        servers = deployment.wait_servers(
            [s["id"] for s in deployment.servers()], timeout=60)
        names = [s["name"] for s in servers]
        assert len(names) == len(set(names)), names  # nothing built twice
        assert {f"c{i}" for i in accepted} <= set(names)
        for server in servers:
            assert server["status"] == "ACTIVE" or server.get("fault"), server
        active = sum(s["status"] == "ACTIVE" for s in servers)
        used = sum(h["running_vms"] for h in deployment.get(
            "/v2.1/os-hypervisors/detail").json()["hypervisors"])
        assert used == active  # no orphaned claim
        print(f"{len(failed)} calls failed fast, {len(accepted)} accepted, {active} ACTIVE")


MARIADB_START = ["start-stop-daemon", "--start", "--oknodo", "--background", "--exec",
                 "/usr/sbin/mariadbd"]


def _mariadb_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 3306), timeout=1).close()
        return True
    except OSError:
        return False


def test_database_restart(tmp_path: pathlib.Path) -> None:
    """MariaDB stops: the API answers 503 with a clear message while it is gone, and
    works again once it is back, without restarting any service."""
    with _deployment(tmp_path, spawn_delay=0.0, computes=1) as deployment:
        assert deployment.get("/v2.1/servers").status_code == 200
        subprocess.run(["mysqladmin", "-uroot", "shutdown"], check=True, timeout=60)
        try:
            deadline = time.monotonic() + 20
            while _mariadb_listening():
                assert time.monotonic() < deadline
                time.sleep(0.2)
            t0 = time.monotonic()
            resp = deployment.get("/v2.1/servers")
            assert resp.status_code == 503, resp.text
            assert time.monotonic() - t0 < 10
            assert "database is unavailable" in resp.json()["computeFault"]["message"] \
                if "computeFault" in resp.json() else "database" in resp.text
        finally:
            subprocess.run(MARIADB_START, check=True, timeout=60)
            deadline = time.monotonic() + 60
            while not _mariadb_listening():
                assert time.monotonic() < deadline, "MariaDB did not come back"
                time.sleep(0.2)
        deadline = time.monotonic() + 30
        while deployment.get("/v2.1/servers").status_code != 200:
            assert time.monotonic() < deadline, "the API did not recover"
            time.sleep(0.5)
        image = deployment.create_image()
        sid = deployment.boot(image).json()["server"]["id"]
        assert deployment.wait_servers([sid], timeout=30)[0]["status"] == "ACTIVE"
