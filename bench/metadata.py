"""Benchmark of the metadata service (a benchmark, not a test).

Starts `stratus-all` (fake virt driver, fake data plane) with a metadata proxy secret,
boots 100 servers, then has client processes ask for `openstack/latest/meta_data.json`
as a metadata proxy does (X-Instance-ID, X-Tenant-ID and the signature), each request
for one of the 100 servers in turn, over kept-alive connections: first with the cache
(metadata_cache_expiration 15), then in a second cloud without it (0: a conductor read
per request). Prints requests per second and p50/p99 latency of each.
Target: >= 2,000 req/s cached in one process.
"""
from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import pathlib
import sys
import tempfile
import time
from typing import Any

import httpx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from bench.api import boot_many, pct, setup, token  # noqa: E402
from tests.functional.embedded import EmbeddedCloud  # noqa: E402

SECRET = "bench-metadata-secret"
SERVERS = 100
CLIENTS = 4
SECONDS = 10.0


def _client(url: str, guests: list[tuple[str, str]], until: float,
            out: "multiprocessing.Queue[list[float]]") -> None:
    latencies: list[float] = []
    headers = [{"X-Instance-ID": sid, "X-Tenant-ID": project,
                "X-Instance-ID-Signature": hmac.new(SECRET.encode(), sid.encode(),
                                                    hashlib.sha256).hexdigest()}
               for sid, project in guests]
    with httpx.Client(timeout=10) as client:
        i = 0
        while time.time() < until:
            start = time.perf_counter()
            resp = client.get(url + "/openstack/latest/meta_data.json",
                              headers=headers[i % len(headers)])
            latencies.append(time.perf_counter() - start)
            assert resp.status_code == 200, resp.text
            i += 1
    out.put(latencies)


def measure(cloud: EmbeddedCloud, guests: list[tuple[str, str]]) -> tuple[float, list[float]]:
    url = f"http://127.0.0.1:{cloud.metadata_port}"
    until = time.time() + SECONDS
    out: multiprocessing.Queue[list[float]] = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_client, args=(url, guests[i::CLIENTS], until, out))
             for i in range(CLIENTS)]
    for proc in procs:
        proc.start()
    latencies = [t for _ in procs for t in out.get()]
    for proc in procs:
        proc.join()
    return len(latencies) / SECONDS, latencies


def servers(cloud: EmbeddedCloud) -> list[tuple[str, str]]:
    headers = {"X-Auth-Token": token(cloud)}
    with httpx.Client(headers=headers, timeout=60) as client:
        image, project = setup(cloud, client)
        boot_many(cloud, client, image, SERVERS)
        found = client.get(cloud.compute_url + "/v2.1/servers?limit=1000").json()["servers"]
    return [(s["id"], project) for s in found]


def run(cache_seconds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as state:
        cloud = EmbeddedCloud(pathlib.Path(state) / "state", {
            "OS_DEFAULT__METADATA_PROXY_SHARED_SECRET": SECRET,
            "OS_DEFAULT__METADATA_CACHE_EXPIRATION": str(cache_seconds)}).start()
        try:
            guests = servers(cloud)
            measure(cloud, guests)  # warm-up: connections, and the cache when there is one
            rate, latencies = measure(cloud, guests)
        finally:
            cloud.stop()
    return {"rate": rate, "p50": pct(latencies, 0.5), "p99": pct(latencies, 0.99)}


def main() -> None:
    print(f"Stratus embedded cloud, {SERVERS} servers, {CLIENTS} client processes, "
          f"{SECONDS:.0f} s each, GET /openstack/latest/meta_data.json as a proxy")
    for label, seconds in (("cached (15 s)", 15), ("uncached (0)", 0)):
        found = run(seconds)
        print(f"{label}: {found['rate']:.0f} req/s, p50 {found['p50'] * 1000:.1f} ms, "
              f"p99 {found['p99'] * 1000:.1f} ms (target cached: >= 2,000 req/s)")


if __name__ == "__main__":
    main()
