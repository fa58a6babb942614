"""Benchmark of what networking adds to a boot (a benchmark, not a test).

Starts `stratus-all` with the fake virt driver and the real (Linux) network agent inside a
network namespace this script creates and removes, then boots 50 servers from 10 clients
twice: with `networks: none`, then with `networks: auto` (VlanManager: the project's
network, a fixed IP, a MAC, the bridge and a dnsmasq hosts entry each). Prints p50/p95
accepted->ACTIVE of both and the difference per boot.
"""
from __future__ import annotations

import concurrent.futures
import pathlib
import subprocess
import sys
import tempfile
import time
import uuid

import httpx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from bench.api import boot_one, pct, setup, token  # noqa: E402
from tests.functional.embedded import EmbeddedCloud  # noqa: E402


def boots(cloud: EmbeddedCloud, headers: dict[str, str], image: str,
          networks: str) -> list[float]:
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        clients = [httpx.Client(headers=headers, timeout=60) for _ in range(10)]
        futures = [pool.submit(boot_one, cloud, clients[i % 10], image, f"{networks}{i}",
                               networks) for i in range(50)]
        return [f.result() for f in futures]


def main() -> None:
    netns = "stratus-bench-" + uuid.uuid4().hex[:6]
    files = pathlib.Path(f"/tmp/{netns}-dhcp")
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:
        with tempfile.TemporaryDirectory() as state:
            cloud = EmbeddedCloud(pathlib.Path(state) / "state", {
                "OS_NETWORK__DRIVER": "linux", "OS_NETWORK__NETWORK_NAMESPACE": netns,
                "OS_NETWORK__DHCP_FILES_PATH": str(files)}).start()
            try:
                run(cloud, netns)
            finally:
                cloud.stop()
                converges = [line.split(" in ", 1)[-1] for line in
                             cloud.log.read_text().splitlines() if "port(s) in" in line]
                totals = sorted(converges, key=lambda c: float(c.split(" ms")[0]))
                if totals:
                    print(f"agent converges: {len(totals)}; median {totals[len(totals) // 2]}"
                          f"; slowest {totals[-1]}")
    finally:
        for pid in subprocess.run(["ip", "netns", "pids", netns], capture_output=True,
                                  text=True).stdout.split():
            subprocess.run(["kill", pid], check=False)
        time.sleep(0.5)
        subprocess.run(["ip", "netns", "del", netns], check=False)
        subprocess.run(["rm", "-rf", str(files)], check=False)


def run(cloud: EmbeddedCloud, netns: str) -> None:
    headers = {"X-Auth-Token": token(cloud)}
    with httpx.Client(headers=headers, timeout=60) as client:
        image, _project = setup(cloud, client)
    print("Stratus embedded cloud, fake virt driver, Linux network agent in namespace "
          f"{netns} (VlanManager)")
    results = {}
    for networks in ("none", "auto"):
        start = time.perf_counter()
        times = boots(cloud, headers, image, networks)
        wall = time.perf_counter() - start
        results[networks] = pct(times, 0.5)
        print(f"50 boots, 10 clients, networks={networks}: wall {wall:.2f} s; "
              f"accepted->ACTIVE p50 {pct(times, 0.5) * 1000:.0f} ms, "
              f"p95 {pct(times, 0.95) * 1000:.0f} ms")
    added = (results["auto"] - results["none"]) * 1000
    print(f"networking adds {added:.0f} ms per boot at p50 (target: under 20 ms)")
    hosts = subprocess.run(["sh", "-c", f"cat /tmp/{netns}-dhcp/*/*/dhcp/*/host | wc -l"],
                           capture_output=True, text=True).stdout.strip()
    print(f"dnsmasq hosts entries: {hosts}")


if __name__ == "__main__":
    main()
