"""Benchmark of what networking adds to a boot (a benchmark, not a test).

Starts `stratus-all` with the fake virt driver and the real (Linux) network agent inside a
network namespace this script creates and removes, then boots servers with `networks:
none`, then with `networks: auto` (VlanManager: the project's network, a fixed IP, a MAC,
the bridge, a dnsmasq hosts entry and port chains each), three rounds of both: 20 boots
from one client (what a boot waits for), then 50 from 10 clients (what the load adds).
Accepted POST -> ACTIVE (polled every 20 ms), p50/p95 of each and the difference per
boot, and the time the compute agents' builds waited for their ports (their log). Then,
with the
servers on networks (190), the time from adding (and from deleting) a rule of their
`default` security group to the change being in all their ports' iptables chains.
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

ROUNDS = 3  # each phase alternated this often: one run's figure swings too much


def boots(cloud: EmbeddedCloud, headers: dict[str, str], image: str, networks: str,
          clients: int = 10, count: int = 50) -> list[float]:
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        sessions = [httpx.Client(headers=headers, timeout=60) for _ in range(clients)]
        futures = [pool.submit(boot_one, cloud, sessions[i % clients], image,
                               f"{networks}{i}", networks) for i in range(count)]
        return [f.result() for f in futures]


def main() -> None:
    netns = "stratus-bench-" + uuid.uuid4().hex[:6]
    files = pathlib.Path(f"/tmp/{netns}-dhcp")
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:
        with tempfile.TemporaryDirectory() as state:
            cloud = EmbeddedCloud(pathlib.Path(state) / "state", {
                "OS_NETWORK__DRIVER": "linux", "OS_NETWORK__NETWORK_NAMESPACE": netns,
                "OS_NETWORK__DHCP_FILES_PATH": str(files),
                # room for every server of the rounds on the one fake host
                "OS_FAKE__MEMORY_MB": "1048576", "OS_FAKE__VCPUS": "1024"}).start()
            try:
                run(cloud, netns)
            finally:
                cloud.stop()
                converges(cloud.log.read_text())
    finally:
        for pid in subprocess.run(["ip", "netns", "pids", netns], capture_output=True,
                                  text=True).stdout.split():
            subprocess.run(["kill", pid], check=False)
        time.sleep(0.5)
        subprocess.run(["ip", "netns", "del", netns], check=False)
        subprocess.run(["rm", "-rf", str(files)], check=False)


def network_waits(log: str) -> None:
    """How long builds with ports waited for the network agent: the "network" step of
    the compute agent's "Built ... in" lines."""
    waits = sorted(float(line.split("network ")[1].split(" ms")[0])
                   for line in log.splitlines() if "Built " in line and "network " in line)
    if waits:
        print(f"  their builds waited for their ports: {len(waits)} builds, median "
              f"{waits[len(waits) // 2]:.0f} ms, p95 {pct(waits, 0.95):.0f} ms")


def converges(log: str) -> None:
    """The agent's converges by kind (after a full read of the host, after servers were
    added), from its log lines: how many, the median and the slowest."""
    kinds: dict[str, list[str]] = {}
    for line in log.splitlines():
        if "port(s) in " in line and " after a " in line:
            timing, kind = line.split("port(s) in ", 1)[1].split(" after a ")
            kinds.setdefault("host read" if kind == "host read" else "servers added",
                             []).append(timing)
    for kind, timings in kinds.items():
        timings.sort(key=lambda t: float(t.split(" ms")[0]))
        print(f"agent converges after a {kind}: {len(timings)}; median "
              f"{timings[len(timings) // 2]}; slowest {timings[-1]}")


def run(cloud: EmbeddedCloud, netns: str) -> None:
    headers = {"X-Auth-Token": token(cloud)}
    with httpx.Client(headers=headers, timeout=60) as client:
        image, _project = setup(cloud, client)
    print("Stratus embedded cloud, fake virt driver, Linux network agent in namespace "
          f"{netns} (VlanManager)")
    seen = len(cloud.log.read_text())
    for clients, count in ((1, 20), (10, 50)):
        added = []
        for _round in range(ROUNDS):
            results = {}
            for networks in ("none", "auto"):
                start = time.perf_counter()
                times = boots(cloud, headers, image, networks, clients, count)
                wall = time.perf_counter() - start
                results[networks] = pct(times, 0.5)
                print(f"{count} boots, {clients} client(s), networks={networks}: wall "
                      f"{wall:.2f} s; accepted->ACTIVE p50 {pct(times, 0.5) * 1000:.0f} ms, "
                      f"p95 {pct(times, 0.95) * 1000:.0f} ms")
            added.append((results["auto"] - results["none"]) * 1000)
        print(f"{clients} client(s): networking adds {', '.join(f'{a:.0f}' for a in added)} "
              f"ms per boot at p50 in {ROUNDS} rounds, median {sorted(added)[ROUNDS // 2]:.0f}"
              f" ms (target: under 20 ms)")
        log = cloud.log.read_text()
        network_waits(log[seen:])
        seen = len(log)
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
