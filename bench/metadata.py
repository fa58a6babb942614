"""Benchmark of the metadata service (a benchmark, not a test).

Starts `stratus-all` (fake virt driver, fake data plane) with a metadata proxy secret,
boots 100 servers, then has wrk (Debian's package) ask for
`openstack/latest/meta_data.json` as a metadata proxy does (X-Instance-ID, X-Tenant-ID and
the signature), each request for one of the 100 servers in turn, over kept-alive
connections: first with the cache
(metadata_cache_expiration 15), then in a second cloud without it (0: a conductor read
per request). Prints requests per second and p50/p99 latency of each.
Target: >= 2,000 req/s cached in one process.
"""
from __future__ import annotations

import hashlib
import hmac
import pathlib
import re
import subprocess
import sys
import tempfile

import httpx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from bench.api import boot_many, pct, setup, token  # noqa: E402
from tests.functional.embedded import EmbeddedCloud  # noqa: E402

SECRET = "bench-metadata-secret"
SERVERS = 100
CONNECTIONS = 16
SECONDS = 10.0


def _script(guests: list[tuple[str, str]]) -> str:
    """A wrk script asking, request by request, for each guest in turn, as its proxy."""
    rows = ",\n".join(
        f'  {{["X-Instance-ID"]="{sid}", ["X-Tenant-ID"]="{project}", '
        f'["X-Instance-ID-Signature"]="{hmac.new(SECRET.encode(), sid.encode(), hashlib.sha256).hexdigest()}"}}'
        for sid, project in guests)
    return (f"local guests = {{\n{rows}\n}}\nlocal i = 0\n"
            "request = function()\n  i = i % #guests + 1\n"
            '  return wrk.format("GET", "/openstack/latest/meta_data.json", guests[i])\nend\n')


def _ms(text: str) -> float:
    """wrk's 812.00us, 1.23ms, 2.01s in milliseconds."""
    for unit, scale in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text.removesuffix(unit)) * scale
    raise ValueError(f"not a wrk duration: {text!r}")


def measure(cloud: EmbeddedCloud, guests: list[tuple[str, str]]) -> dict[str, float]:
    """wrk (2 threads, 16 connections) for SECONDS: requests per second, p50 and p99."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_script(guests))
        script.flush()
        out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS:.0f}s",
                              "--latency", "-s", script.name,
                              f"http://127.0.0.1:{cloud.metadata_port}"],
                             capture_output=True, text=True, check=True).stdout
    found = {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for label, key in (("50%", "p50"), ("99%", "p99")):
        found[key] = _ms(re.search(rf"^\s+{label}\s+(\S+)", out, re.MULTILINE).group(1))
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    return found


def servers(cloud: EmbeddedCloud) -> list[tuple[str, str]]:
    headers = {"X-Auth-Token": token(cloud)}
    with httpx.Client(headers=headers, timeout=60) as client:
        image, project = setup(cloud, client)
        boot_many(cloud, client, image, SERVERS)
        found = client.get(cloud.compute_url + "/v2.1/servers?limit=1000").json()["servers"]
    return [(s["id"], project) for s in found]


def run(cache_seconds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as state:
        cloud = EmbeddedCloud(pathlib.Path(state) / "state", {
            "OS_DEFAULT__METADATA_PROXY_SHARED_SECRET": SECRET,
            "OS_DEFAULT__METADATA_CACHE_EXPIRATION": str(cache_seconds)}).start()
        try:
            guests = servers(cloud)
            measure(cloud, guests)  # warm-up: connections, and the cache when there is one
            return measure(cloud, guests)
        finally:
            cloud.stop()


def main() -> None:
    print(f"Stratus embedded cloud, {SERVERS} servers; wrk, {CONNECTIONS} connections, "
          f"{SECONDS:.0f} s, GET /openstack/latest/meta_data.json as a metadata proxy")
    for label, seconds in (("cached (15 s)", 15), ("uncached (0)", 0)):
        found = run(seconds)
        print(f"{label}: {found['rate']:.0f} req/s, p50 {found['p50']:.1f} ms, "
              f"p99 {found['p99']:.1f} ms (target cached: >= 2,000 req/s)")


if __name__ == "__main__":
    main()
