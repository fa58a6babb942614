"""Benchmark of the embedded cloud through its REST APIs (a benchmark, not a test).

Starts `stratus-all` the way `make up` does (fake driver, 5 fake compute hosts), then
prints:
  - boot of 50 servers from 10 concurrent clients: wall time and p50/p95 per server
    from the accepted POST /servers to ACTIVE;
  - p50/p95 of GET /v2.1/servers/detail with 100 and 1,000 servers.
"""
from __future__ import annotations

import concurrent.futures
import pathlib
import statistics
import sys
import tempfile
import time

import httpx
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from tests.functional.embedded import EmbeddedCloud  # noqa: E402

HEADERS = {"OpenStack-API-Version": "compute 2.47"}
# Clients poll like `openstack server create --wait` does, only much faster; the poll
# load itself competes with the builds in the one process.
POLL_INTERVAL = 0.02


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def token(cloud: EmbeddedCloud) -> str:
    auth = yaml.safe_load(cloud.clouds_yaml.read_text())["clouds"]["stratus"]["auth"]
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": auth["username"], "password": auth["password"], "domain": {"id": "default"}}}},
        "scope": {"project": {"name": auth["project_name"], "domain": {"id": "default"}}}}}
    resp = httpx.post(cloud.identity_url + "/v3/auth/tokens", json=body)
    resp.raise_for_status()
    return resp.headers["X-Subject-Token"]


def setup(cloud: EmbeddedCloud, client: httpx.Client) -> tuple[str, str]:
    image = client.post(cloud.image_url + "/v2/images", json={
        "name": "bench", "disk_format": "raw", "container_format": "bare"}).json()
    client.put(cloud.image_url + f"/v2/images/{image['id']}/file", content=b"\0" * 4096,
               headers={"Content-Type": "application/octet-stream"}).raise_for_status()
    project = client.get(cloud.identity_url + "/v3/auth/tokens",
                         headers={"X-Subject-Token": client.headers["X-Auth-Token"]}
                         ).json()["token"]["project"]["id"]
    client.put(cloud.compute_url + f"/v2.1/os-quota-sets/{project}", json={"quota_set": {
        "instances": -1, "cores": -1, "ram": -1}}).raise_for_status()
    return image["id"], project


def boot_one(cloud: EmbeddedCloud, client: httpx.Client, image: str, name: str,
             networks: str = "none") -> float:
    resp = client.post(cloud.compute_url + "/v2.1/servers", headers=HEADERS, json={"server": {
        "name": name, "imageRef": image, "flavorRef": "1", "networks": networks}})
    resp.raise_for_status()
    accepted = time.perf_counter()
    sid = resp.json()["server"]["id"]
    while True:
        server = client.get(cloud.compute_url + f"/v2.1/servers/{sid}",
                            headers=HEADERS).json()["server"]
        if server["status"] == "ACTIVE":
            return time.perf_counter() - accepted
        if server["status"] == "ERROR":
            raise RuntimeError(f"{name} went to ERROR: {server.get('fault')}")
        time.sleep(POLL_INTERVAL)


def boot_many(cloud: EmbeddedCloud, client: httpx.Client, image: str, count: int) -> None:
    """Fill the cloud quickly with multi-create requests, then wait for ACTIVE."""
    while count > 0:
        batch = min(count, 100)
        client.post(cloud.compute_url + "/v2.1/servers", headers=HEADERS, json={"server": {
            "name": "fill", "imageRef": image, "flavorRef": "1", "networks": "none",
            "min_count": batch, "max_count": batch}}).raise_for_status()
        count -= batch
    while client.get(cloud.compute_url + "/v2.1/servers?status=BUILD&limit=1",
                     headers=HEADERS).json()["servers"]:
        time.sleep(0.2)


def time_detail(cloud: EmbeddedCloud, client: httpx.Client, expected: int,
                rounds: int = 20) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        resp = client.get(cloud.compute_url + "/v2.1/servers/detail", headers=HEADERS)
        times.append(time.perf_counter() - start)
        assert len(resp.json()["servers"]) == expected, len(resp.json()["servers"])
    return times


def rss_mb(pid: int) -> float:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    with tempfile.TemporaryDirectory() as state:
        cloud = EmbeddedCloud(pathlib.Path(state) / "state",
                              {"OS_FAKE__HOST_COUNT": "5"}).start()
        try:
            run(cloud)
        finally:
            cloud.stop()


def run(cloud: EmbeddedCloud) -> None:
    headers = {"X-Auth-Token": token(cloud)}
    with httpx.Client(headers=headers, timeout=60) as client:
        image, _project = setup(cloud, client)
        print("Stratus embedded cloud (stratus-all, SQLite, inproc:// bus, 5 fake hosts)")
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            clients = [httpx.Client(headers=headers, timeout=60) for _ in range(10)]
            futures = [pool.submit(boot_one, cloud, clients[i % 10], image, f"b{i}")
                       for i in range(50)]
            times = [f.result() for f in futures]
        wall = time.perf_counter() - start
        print(f"boot 50 servers, 10 clients: wall {wall:.2f} s; accepted->ACTIVE per server "
              f"p50 {pct(times, 0.5) * 1000:.0f} ms, p95 {pct(times, 0.95) * 1000:.0f} ms")
        for target in (100, 1000):
            have = len(client.get(cloud.compute_url + "/v2.1/servers?limit=1000",
                                  headers=HEADERS).json()["servers"])
            boot_many(cloud, client, image, target - have)
            detail = time_detail(cloud, client, target)
            print(f"GET /servers/detail at {target} servers: p50 "
                  f"{statistics.median(detail) * 1000:.0f} ms, p95 "
                  f"{pct(detail, 0.95) * 1000:.0f} ms")
        assert cloud.process is not None
        print(f"stratus-all RSS: {rss_mb(cloud.process.pid):.0f} MB")


if __name__ == "__main__":
    main()
