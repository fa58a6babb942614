"""Aggregate metadata overrides a node's allocation ratios; the lowest value wins."""
import pytest

from scheduler.host_state import HostState

NODE = {"host": "h1", "hypervisor_hostname": "h1", "service": None, "vcpus": 8,
        "memory_mb": 8192, "local_gb": 100, "vcpus_used": 0, "memory_mb_used": 0,
        "local_gb_used": 0, "running_vms": 0, "cpu_allocation_ratio": 16.0,
        "ram_allocation_ratio": 1.5, "disk_allocation_ratio": 1.0}


@pytest.mark.parametrize("metadata,cpu,ram,disk", [
    ([], 16.0, 1.5, 1.0),
    ([{"cpu_allocation_ratio": "4.0"}], 4.0, 1.5, 1.0),
    ([{"ram_allocation_ratio": "1.0"}, {"ram_allocation_ratio": "0.5"}], 16.0, 0.5, 1.0),
    ([{"disk_allocation_ratio": "2"}, {"ssd": "true"}], 16.0, 1.5, 2.0),
    ([{"cpu_allocation_ratio": "not a number"}], 16.0, 1.5, 1.0),
])
def test_aggregate_ratios(metadata: list[dict[str, str]], cpu: float, ram: float,
                          disk: float) -> None:
    aggregates = [{"id": i, "name": f"a{i}", "hosts": ["h1"], "metadata": m}
                  for i, m in enumerate(metadata)]
    state = HostState.from_dict(NODE, aggregates)
    assert (state.cpu_allocation_ratio, state.ram_allocation_ratio,
            state.disk_allocation_ratio) == (cpu, ram, disk)
    assert state.free_vcpus == 8 * cpu


def test_zone_from_aggregate() -> None:
    zoned = [{"id": 1, "name": "a", "hosts": ["h1"], "metadata": {"availability_zone": "az1"}}]
    assert HostState.from_dict(NODE, zoned).availability_zone == "az1"
    assert HostState.from_dict(NODE, []).availability_zone == "nova"
