"""Concurrent boots never overcommit a host: claims are atomic in the conductor."""
from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conductor import rpcapi as conductor_rpcapi
from stratus.config import CONF
from stratus.context import get_admin_context
from tests.functional.conftest import Cloud

# Three fake hosts with room for ten 512 MB servers each: 512 MB reserved + 10 x 512 MB.
HOST_MEMORY_MB = 512 + 10 * 512


@pytest.fixture
def small_hosts() -> Iterator[None]:
    CONF.set_override("memory_mb", HOST_MEMORY_MB, group="fake")
    CONF.set_override("ram_allocation_ratio", 1.0)
    yield
    CONF.clear_override("memory_mb", group="fake")
    CONF.clear_override("ram_allocation_ratio")


@pytest.mark.parametrize("cloud", [{"fake_hosts": 3}], indirect=True)
def test_forty_parallel_boots_onto_room_for_thirty(small_hosts: None, cloud: Cloud) -> None:
    from compute_api.app import create_app
    admin = {**cloud.headers(), "OpenStack-API-Version": "compute 2.47"}
    cloud.compute.put(f"/v2.1/os-quota-sets/{cloud.admin_project_id}", headers=admin,
                      json={"quota_set": {"instances": -1, "cores": -1, "ram": -1}})
    image = cloud.create_image(admin)
    app = create_app()

    def boot(i: int) -> str:
        with TestClient(app) as client:
            resp = client.post("/v2.1/servers", headers=admin, json={"server": {
                "name": f"c{i}", "imageRef": image["id"], "flavorRef": "1",
                "networks": "none"}})
            assert resp.status_code == 202, resp.text
            return str(resp.json()["server"]["id"])

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        ids = list(pool.map(boot, range(40)))
    servers: list[dict[str, Any]] = [cloud.wait_for_server(admin, sid, timeout=60)
                                     for sid in ids]
    statuses = [s["status"] for s in servers]
    assert statuses.count("ACTIVE") == 30 and statuses.count("ERROR") == 10
    for failed in (s for s in servers if s["status"] == "ERROR"):
        assert failed["fault"]["message"].startswith("No valid host was found.")
        assert "RamFilter" in failed["fault"]["message"] or "ran out of room" in \
            failed["fault"]["message"]
    for node in conductor_rpcapi.client().host_states(get_admin_context()):
        assert node["memory_mb_used"] <= HOST_MEMORY_MB - 512, node
        assert node["running_vms"] == 10


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2, "config": {
    None: {"executor_thread_pool_size": 2, "rpc_call_timeout": 5.0},
    "scheduler": {"host_state_ttl": 0.0}}}], indirect=True)
def test_scheduler_reads_do_not_wait_behind_the_builds_that_need_them(cloud: Cloud) -> None:
    """Every conductor thread may be inside a build, waiting on the scheduler, when the
    scheduler reads host states from the conductor: those reads have their own topic and
    threads, so the builds finish instead of timing out."""
    admin = {**cloud.headers(), "OpenStack-API-Version": "compute 2.47"}
    image = cloud.create_image(admin)["id"]
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        ids = list(pool.map(lambda i: cloud.boot(admin, image, name=f"n{i}")["id"], range(6)))
    servers = [cloud.wait_for_server(admin, sid, timeout=30) for sid in ids]
    assert [s["status"] for s in servers] == ["ACTIVE"] * 6, [s.get("fault") for s in servers]
