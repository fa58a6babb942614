"""Every filter's filter_all keeps exactly the hosts host_passes accepts, and every
weigher's weigh_all gives what weigh gives host by host (the batch forms are the fast
path the scheduler runs; the per-host forms are what the table-driven tests check)."""
import random
import time

import pytest

from scheduler import filters, weights
from tests.unit.scheduler.hosts import host, spec

filters.load([])
weights.load([])
AGGREGATES = [{"id": 1, "name": "a", "metadata": {"ssd": "true", "filter_tenant_id": "p1",
                                                  "availability_zone": "az1"}}]


def _hosts() -> list:
    rng = random.Random(7)
    out = []
    for i in range(60):
        out.append(host(
            f"h{i % 20}", memory_mb_used=rng.choice([0, 4096, 7680, 8192]),
            vcpus_used=rng.choice([0, 4, 8]), local_gb_used=rng.choice([0, 50, 100]),
            num_instances=rng.choice([0, 49, 50]), io_ops=rng.choice([0, 7, 8]),
            availability_zone=rng.choice(["nova", "az1"]),
            aggregates=AGGREGATES if rng.random() < 0.5 else [],
            up_until=time.time() + rng.choice([-5, 60]),
            service={"disabled": rng.random() < 0.2, "forced_down": False,
                     "last_seen_up": None},
            supported_instances=[("x86_64", "qemu", "hvm")] if rng.random() < 0.5 else []))
    return out


SPECS = [
    spec(),
    spec(memory_mb=4096, vcpus=4, root_gb=40, availability_zone="az1", project_id="p1",
         retry_hosts=["h1", "h2"], extra_specs={"aggregate_instance_extra_specs:ssd": "true"},
         image={"properties": {"hw_architecture": "x86_64"}}),
    spec(group={"uuid": "g", "policy": "anti-affinity", "rules": {}},
         group_hosts=["h3", "h4"]),
    spec(group={"uuid": "g", "policy": "affinity", "rules": {}}, group_hosts=["h5"],
         scheduler_hints={"same_host": ["i"], "different_host": ["j"]},
         hint_hosts={"same_host": ["h5", "h6"], "different_host": ["h6"]}),
    spec(group={"uuid": "g", "policy": "soft-anti-affinity", "rules": {}},
         group_hosts=["h3", "h3", "h4"]),
]


@pytest.mark.parametrize("name", sorted(filters.REGISTRY))
@pytest.mark.parametrize("index", range(len(SPECS)))
def test_filter_all_matches_host_passes(name: str, index: int) -> None:
    f, request, hosts = filters.REGISTRY[name](), SPECS[index], _hosts()
    expected = [h for h in hosts if f.host_passes(h, request)]
    assert f.filter_all(hosts, request) == expected


@pytest.mark.parametrize("name", sorted(weights.REGISTRY))
@pytest.mark.parametrize("index", range(len(SPECS)))
def test_weigh_all_matches_weigh(name: str, index: int) -> None:
    w, request, hosts = weights.REGISTRY[name](), SPECS[index], _hosts()
    batch = w.weigh_all(hosts, request)
    single = [w.weigh(h, request) for h in hosts]
    assert batch is None and len(set(single)) == 1 or batch == single
