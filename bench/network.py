"""Benchmark of what networking adds to a boot (a benchmark, not a test).

Starts `stratus-all` with the fake virt driver and the real (Linux) network agent inside a
network namespace this script creates and removes, then boots 50 servers from 10 clients
twice: with `networks: none`, then with `networks: auto` (VlanManager: the project's
network, a fixed IP, a MAC, the bridge and a dnsmasq hosts entry each). Prints p50/p95
accepted->ACTIVE of both and the difference per boot. Then, with 100 servers on
networks, the time from adding (and from deleting) a rule of their `default` security
group to the change being in all 100 ports' iptables chains.
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
    boots(cloud, headers, image, "auto")  # 100 servers with ports
    with httpx.Client(headers=headers, timeout=60) as client:
        rule_change(cloud, client, netns)
    hosts = subprocess.run(["sh", "-c", f"cat /tmp/{netns}-dhcp/*/*/dhcp/*/host | wc -l"],
                           capture_output=True, text=True).stdout.strip()
    print(f"dnsmasq hosts entries: {hosts}")


def chains_allowing(netns: str, port: int) -> int:
    """How many of the ports' chains accept tcp to `port` (iptables-save in the namespace)."""
    saved = subprocess.run(["ip", "netns", "exec", netns, "iptables-save", "-t", "filter"],
                           capture_output=True, text=True, check=True).stdout
    return sum(1 for line in saved.splitlines()
               if line.startswith("-A stratus-i-") and f"--dport {port} " in line)


def until_chains(netns: str, port: int, count: int, since: float) -> float:
    while chains_allowing(netns, port) != count:
        if time.perf_counter() - since > 30:
            raise RuntimeError(f"the rule for port {port} did not reach {count} chains")
        time.sleep(0.005)
    return time.perf_counter() - since


def rule_change(cloud: EmbeddedCloud, client: httpx.Client, netns: str) -> None:
    """A rule added to, then deleted from, the servers' default group: how long until
    every port's chain has it, then has it no more."""
    api, legacy = cloud.compute_url + "/v2.1", {"X-OpenStack-Nova-API-Version": "2.1"}
    groups = client.get(api + "/os-security-groups", headers=legacy).json()["security_groups"]
    default = next(g for g in groups if g["name"] == "default")
    ports = sum(1 for line in subprocess.run(
        ["ip", "netns", "exec", netns, "iptables-save", "-t", "filter"], capture_output=True,
        text=True, check=True).stdout.splitlines() if line.startswith(":stratus-i-"))
    start = time.perf_counter()
    rule = client.post(api + "/os-security-group-rules", headers=legacy, json={
        "security_group_rule": {"parent_group_id": default["id"], "ip_protocol": "tcp",
                                "from_port": 8080, "to_port": 8080, "cidr": "0.0.0.0/0"}})
    rule.raise_for_status()
    added = until_chains(netns, 8080, ports, start)
    start = time.perf_counter()
    client.delete(api + f"/os-security-group-rules/{rule.json()['security_group_rule']['id']}",
                  headers=legacy).raise_for_status()
    deleted = until_chains(netns, 8080, 0, start)
    print(f"rule change to {ports} ports' chains: added in {added * 1000:.0f} ms, deleted "
          f"in {deleted * 1000:.0f} ms (target: under 1 s)")


if __name__ == "__main__":
    main()
