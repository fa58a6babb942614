"""Scheduler benchmark (a benchmark, not a test): placements against synthetic hosts.

Two figures per host count:
  - filter+weigh: the default filters and weighers over in-memory host states, consuming
    each placement (what one select_destinations does after it has the host states);
  - select_destinations: the whole call over the in-process bus, with the conductor on
    SQLite; host states come from the scheduler's cache (read once, then reused until a
    host changes or they are older than [scheduler] host_state_ttl);
  - with claims: select_destinations followed by the conductor's atomic claim of the
    chosen node (row lock, usage re-summed, instance row updated), placements/s sustained.
"""
from __future__ import annotations

import pathlib
import random
import statistics
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from stratus.config import CONF, parse_args  # noqa: E402

FLAVOR = {"flavorid": "1", "name": "m1.tiny", "memory_mb": 512, "vcpus": 1, "root_gb": 1,
          "ephemeral_gb": 0, "swap": 0, "extra_specs": {}}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))]


def synthetic_hosts(count: int) -> list[Any]:
    import datetime

    from scheduler.host_state import HostState
    now = datetime.datetime.utcnow().isoformat()
    rng = random.Random(count)
    return [HostState(host=f"h{i}", node=f"h{i}",
                      service={"disabled": False, "forced_down": False, "last_seen_up": now},
                      vcpus=64, memory_mb=262144, local_gb=4000, vcpus_used=rng.randint(0, 900),
                      memory_mb_used=rng.randint(0, 250000), local_gb_used=rng.randint(0, 3000),
                      num_instances=rng.randint(0, 40), cpu_allocation_ratio=16.0,
                      ram_allocation_ratio=1.0, disk_allocation_ratio=1.0,
                      availability_zone="nova") for i in range(count)]


def filter_and_weigh(count: int, placements: int = 200) -> tuple[list[float], float]:
    from scheduler import weights
    from scheduler.manager import SchedulerManager
    manager = SchedulerManager()
    hosts = synthetic_hosts(count)
    from scheduler.request import SchedulingRequest
    spec = SchedulingRequest(flavor=FLAVOR)
    times = []
    start = time.perf_counter()
    for _ in range(placements):
        t0 = time.perf_counter()
        passed, _removed = manager._filter(hosts, spec)
        best = weights.rank(passed, manager.weighers, spec)[0]
        best.consume(FLAVOR)
        times.append(time.perf_counter() - t0)
    return times, placements / (time.perf_counter() - start)


def full_call(count: int, requests: int = 200) -> tuple[list[float], float]:
    """select_destinations through the bus, host states from the conductor's database;
    then the same requests each followed by the conductor's claim (placements/s)."""
    from conductor import manage
    from conductor import rpcapi as conductor_rpcapi
    from scheduler.rpcapi import SchedulerAPI
    from stratus.objects.request_spec import RequestSpec
    from stratus import launcher
    from stratus.context import get_admin_context
    from stratus.service import stop_all
    with tempfile.TemporaryDirectory() as state:
        CONF.set_override("state_path", state)
        CONF.set_override("connection", f"sqlite:///{state}/bench.sqlite", group="database")
        manage.create_schema()
        services = launcher.rpc_services(["conductor", "scheduler"])
        for service in services:
            service.start()
        try:
            ctx = get_admin_context()
            api = conductor_rpcapi.client()
            for i in range(count):
                api.service_report(ctx, host=f"h{i}", binary="stratus-compute", topic="compute")
                api.compute_node_report(ctx, host=f"h{i}", node=f"h{i}", resources={
                    "vcpus": 64, "memory_mb": 262144, "local_gb": 4000})
            scheduler = SchedulerAPI.get()
            spec = RequestSpec(flavor=FLAVOR, project_id="bench")
            times = []
            for _ in range(requests):
                t0 = time.perf_counter()
                scheduler.select_destinations(ctx, request_spec=spec, instance_uuids=["x"])
                times.append(time.perf_counter() - t0)
            return times, _claimed_rate(ctx, scheduler, spec, requests)
        finally:
            stop_all(services)
            from conductor.db import api as db
            db.dispose()


def _claimed_rate(ctx: Any, scheduler: Any, spec: Any, count: int) -> float:
    from conductor.compute.queries.placement import claim
    from conductor.db import api as db
    from conductor.db.models import Instance
    uuids = [f"00000000-0000-0000-0000-{i:012d}" for i in range(count)]
    with db.writer() as s:
        s.add_all(Instance(uuid=u, name=u, project_id="bench", user_id="bench",
                           flavor=FLAVOR, vcpus=1, memory_mb=512, root_gb=1,
                           vm_state="building", task_state="scheduling",
                           reservation_id="r-bench") for u in uuids)
    start = time.perf_counter()
    for instance_uuid in uuids:
        chosen = scheduler.select_destinations(ctx, request_spec=spec,
                                               instance_uuids=[instance_uuid])[0][0]
        claim(instance_uuid, chosen.host, chosen.node)
    return count / (time.perf_counter() - start)


def main() -> None:
    parse_args([], default_config_files=[])
    print("Scheduler, default filters and weighers, one placement per request")
    for count in (100, 1000, 10000):
        times, rate = filter_and_weigh(count)
        print(f"{count:>6} hosts  filter+weigh p50 {statistics.median(times) * 1000:.2f} ms, "
              f"p99 {pct(times, 0.99) * 1000:.2f} ms, {rate:.0f} placements/s")
    for count in (100, 1000):
        times, claimed = full_call(count)
        print(f"{count:>6} hosts  select_destinations (cached host states): "
              f"p50 {statistics.median(times) * 1000:.1f} ms, p99 {pct(times, 0.99) * 1000:.1f} ms;"
              f" with the conductor's claim (SQLite): {claimed:.0f} placements/s")


if __name__ == "__main__":
    main()
