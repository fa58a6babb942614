"""Benchmark of the distributed deployment (a benchmark, not a test): one process per
service from its console script, on RabbitMQ (a scratch vhost) and MariaDB (a scratch
database), fake virt driver, 5 compute agents, 2 conductors. Prints:
  - boot of 100 servers from 10 concurrent clients: wall time and p50/p95 per server
    from the accepted POST /servers to ACTIVE;
  - p50/p95 of GET /v2.1/servers/detail with 100 and 1,000 servers;
  - the resident memory of each service process.
Usage: python bench/distributed.py [mysql|postgresql]
"""
from __future__ import annotations

import concurrent.futures
import pathlib
import statistics
import sys
import tempfile
import time

import httpx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from bench.api import boot_many, boot_one, pct, rss_mb, setup, time_detail, token  # noqa: E402
from tests.functional.distributed import Deployment  # noqa: E402
from tests.functional.servers import scratch_database, scratch_vhost  # noqa: E402


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "mysql"
    with tempfile.TemporaryDirectory() as state, scratch_database(kind) as database, \
            scratch_vhost() as transport:
        cloud = Deployment(pathlib.Path(state) / "state", database, transport, computes=5,
                           conductors=2, schedulers=1, rpc_timeout=30)
        cloud.start()
        try:
            run(cloud, kind)
        finally:
            cloud.stop()


def run(cloud: Deployment, kind: str) -> None:
    headers = {"X-Auth-Token": token(cloud)}
    with httpx.Client(headers=headers, timeout=60) as client:
        image, _project = setup(cloud, client)
        print(f"Stratus distributed (one process per service, RabbitMQ, {kind}, "
              f"5 fake compute agents, 2 conductors)")
        clients = [httpx.Client(headers=headers, timeout=60) for _ in range(10)]
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            futures = [pool.submit(boot_one, cloud, clients[i % 10], image, f"b{i}")
                       for i in range(100)]
            times = [f.result() for f in futures]
        wall = time.perf_counter() - start
        print(f"boot 100 servers, 10 clients: wall {wall:.2f} s; accepted->ACTIVE per server "
              f"p50 {pct(times, 0.5) * 1000:.0f} ms, p95 {pct(times, 0.95) * 1000:.0f} ms")
        for target in (100, 1000):
            have = len(client.get(cloud.compute_url + "/v2.1/servers?limit=1000",
                                  headers={"OpenStack-API-Version": "compute 2.47"}
                                  ).json()["servers"])
            boot_many(cloud, client, image, target - have)
            detail = time_detail(cloud, client, target)
            print(f"GET /servers/detail at {target} servers: p50 "
                  f"{statistics.median(detail) * 1000:.0f} ms, p95 "
                  f"{pct(detail, 0.95) * 1000:.0f} ms")
        rss = {name: rss_mb(p.pid) for name, p in sorted(cloud.processes.items())}
        print("RSS per process: " + ", ".join(f"{n} {m:.0f} MB" for n, m in rss.items()))


if __name__ == "__main__":
    main()
