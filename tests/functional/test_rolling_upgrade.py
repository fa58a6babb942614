"""A rolling upgrade: compute agents of the previous release keep building, stopping and
deleting servers against this release's conductor, capped with [upgrade_levels], while the
upgraded control plane serves the previous release's conductor contract (topic `conductor`).

The previous release is the tree of PREVIOUS_RELEASE, taken from this repository's history
(a full clone, as CI makes) and run with PYTHONPATH in front of the installed code."""
from __future__ import annotations

import pathlib
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.functional.distributed import Deployment
from tests.functional.servers import scratch_database, scratch_vhost

pytestmark = pytest.mark.slow

ROOT = pathlib.Path(__file__).resolve().parents[2]
PREVIOUS_RELEASE = "292f3650a4f5c9b13b33f1422c52a94f2e8bd2cb"  # compute RPC 1.2, conductor 1.3


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    tree = tmp_path_factory.mktemp("previous-release")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", PREVIOUS_RELEASE],
                             capture_output=True)
    assert archive.returncode == 0, (
        f"the previous release {PREVIOUS_RELEASE} is not in this clone's history: "
        f"{archive.stderr.decode()[-300:]}")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    rpcapi = (tree / "compute_agent/rpcapi.py").read_text()
    assert 'VERSION = "1.2"' in rpcapi and "METHODS = {" in rpcapi  # the old contract
    return tree


@pytest.fixture(scope="module")
def upgrading(previous_release: pathlib.Path,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deployment, str]]:
    """compute1 runs the previous release and fails every spawn of one image (so its
    failures go back to the conductor the old way); compute2 runs this release."""
    with scratch_database("mysql") as database, scratch_vhost() as transport:
        cloud = Deployment(tmp_path_factory.mktemp("upgrade") / "state", database, transport,
                           computes=0, extra="[upgrade_levels]\ncompute = 1.2\n")
        cloud.programs["compute-2"] = ("stratus-compute", "compute2")
        try:
            cloud.start()
            failing = cloud.create_image()
            cloud.programs["compute-1"] = ("stratus-compute", "compute1")
            cloud.env["compute-1"] = {"PYTHONPATH": str(previous_release),
                                      "OS_FAKE__FAIL_SPAWN_IMAGES": failing}
            cloud.start_service("compute-1")
            cloud.wait_ready()
            yield cloud, failing
        finally:
            cloud.stop()


def _host(server: dict[str, object]) -> object:
    return server["OS-EXT-SRV-ATTR:host"]


def test_a_previous_release_agent_builds_stops_starts_and_deletes(
        upgrading: tuple[Deployment, str]) -> None:
    cloud, _ = upgrading
    image = cloud.create_image()
    resp = cloud.boot(image, name="on-old", availability_zone="nova:compute1")
    assert resp.status_code == 202, resp.text
    server_id = resp.json()["server"]["id"]
    [server] = cloud.wait_servers([server_id], timeout=30)
    assert (server["status"], _host(server)) == ("ACTIVE", "compute1"), cloud.logs()
    for action, status in (("os-stop", "SHUTOFF"), ("os-start", "ACTIVE")):
        assert cloud.post(f"/v2.1/servers/{server_id}/action",
                          {action: None}).status_code == 202
        [server] = cloud.wait_servers([server_id], timeout=30, until=(status,))
    assert cloud.delete(f"/v2.1/servers/{server_id}").status_code == 204
    deadline = time.monotonic() + 30
    while cloud.get(f"/v2.1/servers/{server_id}").status_code != 404:
        assert time.monotonic() < deadline, cloud.logs()
        time.sleep(0.25)


def test_a_build_the_old_agent_fails_is_retried_on_an_upgraded_host(
        upgrading: tuple[Deployment, str]) -> None:
    cloud, failing = upgrading
    resp = cloud.post("/v2.1/servers", {"server": {
        "name": "retry", "imageRef": failing, "flavorRef": "1", "networks": "none",
        "min_count": 4, "max_count": 4}})
    assert resp.status_code == 202, resp.text
    ids = [s["id"] for s in cloud.servers() if s["name"].startswith("retry")]
    servers = cloud.wait_servers(ids, timeout=60)
    assert [(s["status"], _host(s)) for s in servers] == [("ACTIVE", "compute2")] * 4
    failed_on_old = 0
    for server_id in ids:
        [action] = [a for a in cloud.get(f"/v2.1/servers/{server_id}/os-instance-actions")
                    .json()["instanceActions"] if a["action"] == "create"]
        detail = cloud.get(f"/v2.1/servers/{server_id}/os-instance-actions/"
                           f"{action['request_id']}").json()["instanceAction"]
        failed_on_old += sum(e["result"] == "Error" and e.get("host") == "compute1"
                             for e in detail["events"])
    assert failed_on_old >= 1, "no build went to the previous-release agent"
