"""Finding, matching and paging compute nodes, their liveness and servers, with a fake
conductor and service group."""
from __future__ import annotations

import re
from typing import Any

import pytest

from compute_api import service
from compute_api.service import hypervisors
from stratus import exception
from tests.unit.compute_service.fakes import ADMIN, FakeGroup, stub
from tests.unit.fakes import FakeConductor

UUIDS = ["00000000-0000-0000-0000-00000000000%d" % i for i in range(1, 4)]


def _node(i: int, hostname: str, service_row: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": i, "uuid": UUIDS[i - 1], "hypervisor_hostname": hostname,
            "host": hostname.split(".")[0], "service": service_row,
            "vcpus": 4, "vcpus_used": i, "memory_mb": 1024, "memory_mb_used": 100 * i,
            "local_gb": 10, "local_gb_used": i, "running_vms": i, "io_ops": i - 1}


NODES = [_node(1, "node1.example", {"host": "node1"}),
         _node(2, "node2.example", {"host": "node2", "disabled": True}),
         _node(3, "other.example")]


@pytest.mark.parametrize("version,expected", [((2, 1), 1), ((2, 52), 1),
                                              ((2, 53), UUIDS[0])])
def test_public_id(version: tuple[int, int], expected: Any) -> None:
    assert service.public_id(version, NODES[0]) == expected


@pytest.mark.parametrize("pattern,expected", [
    ("node", [1, 2]), ("node2", [2]), ("example", [1, 2, 3]), (".", [1, 2, 3]),
    ("e.e", []), ("node[12]", []), ("NODE", []),
])
def test_matching(pattern: str, expected: list[int]) -> None:
    if not expected:
        with pytest.raises(exception.NotFound,
                           match=re.escape(f"No hypervisor matching '{pattern}'")):
            hypervisors.matching(NODES, pattern)
    else:
        assert [n["id"] for n in hypervisors.matching(NODES, pattern)] == expected


@pytest.mark.parametrize("version,marker,expected", [
    ((2, 33), None, [1, 2, 3]),
    ((2, 33), "1", [2, 3]),
    ((2, 33), "3", []),
    ((2, 53), UUIDS[1], [3]),
    ((2, 53), "2", None),
    ((2, 33), UUIDS[0], None),
    ((2, 33), "9", None),
])
def test_after_marker(version: tuple[int, int], marker: str | None,
                      expected: list[int] | None) -> None:
    if expected is None:
        with pytest.raises(exception.ValidationError, match=f"marker \\[{marker}\\] not"):
            hypervisors.after_marker(version, NODES, marker)
    else:
        assert [n["id"] for n in hypervisors.after_marker(version, NODES, marker)] == expected


@pytest.mark.parametrize("version,hypervisor_id,expected", [
    ((2, 1), "2", 2),
    ((2, 52), "3", 3),
    ((2, 1), UUIDS[0], exception.NotFound),
    ((2, 53), UUIDS[0], 1),
    ((2, 53), UUIDS[0].replace("-", ""), 1),
    ((2, 53), UUIDS[0].upper(), 1),
    ((2, 53), UUIDS[0][:-1] + "9", exception.NotFound),
    ((2, 53), "1", exception.Invalid),
])
def test_find(version: tuple[int, int], hypervisor_id: str, expected: Any) -> None:
    if isinstance(expected, int):
        assert hypervisors.find(version, NODES, hypervisor_id)["id"] == expected
    else:
        with pytest.raises(expected):
            hypervisors.find(version, NODES, hypervisor_id)


def test_statistics() -> None:
    assert hypervisors.statistics(NODES) == {
        "vcpus": 12, "vcpus_used": 6, "memory_mb": 3072, "memory_mb_used": 600,
        "local_gb": 30, "local_gb_used": 6, "running_vms": 6, "count": 3,
        "free_ram_mb": 2472, "free_disk_gb": 24, "disk_available_least": 24,
        "current_workload": 3}
    assert hypervisors.statistics([])["count"] == 0


@pytest.fixture
def group(monkeypatch: pytest.MonkeyPatch) -> FakeGroup:
    fake = FakeGroup({"node1", "node2", "other"})
    monkeypatch.setattr(hypervisors, "get_driver", lambda: fake)
    return fake


def _servers(filters: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": 7, "uuid": "s7"}] if filters["node"] == "node1.example" else []


@pytest.mark.parametrize("kwargs,expected", [
    ({}, [1, 2, 3]),
    ({"limit": 1}, [1]),
    ({"limit": 2, "marker": "1"}, [2, 3]),
    ({"limit": 0}, []),
    ({"pattern": "node"}, [1, 2]),
    # A pattern lists every match: the handler refuses paging with one.
    ({"pattern": "node", "limit": 1, "marker": "1"}, [1, 2]),
    # Without a limit there are no pages (before 2.33).
    ({"marker": "1"}, [1, 2, 3]),
])
def test_list_hypervisors(monkeypatch: pytest.MonkeyPatch, group: FakeGroup,
                          kwargs: dict[str, Any], expected: list[int]) -> None:
    fake = stub(monkeypatch, hypervisors, host_states=NODES, instance_list=_servers)
    found = service.list_hypervisors(ADMIN, (2, 33), **kwargs)
    assert [d["node"]["id"] for d in found] == expected
    assert all(d["servers"] is None for d in found)
    assert [method for method, _ in fake.calls] == ["host_states"]


def test_liveness_and_servers(monkeypatch: pytest.MonkeyPatch, group: FakeGroup) -> None:
    group.up_hosts = {"node2", "other"}
    stub(monkeypatch, hypervisors, host_states=NODES, instance_list=_servers)
    found = service.list_hypervisors(ADMIN, (2, 53), with_servers=True)
    # A node without a service is down, whatever the service group says.
    assert [(d["up"], d["servers"]) for d in found] == [
        (False, [{"id": 7, "uuid": "s7"}]), (True, []), (False, [])]


def test_get_hypervisor(monkeypatch: pytest.MonkeyPatch, group: FakeGroup) -> None:
    fake = stub(monkeypatch, hypervisors, host_states=NODES, instance_list=_servers)
    found = service.get_hypervisor(ADMIN, (2, 53), UUIDS[0], with_servers=True)
    assert (found["node"]["id"], found["up"], found["servers"]) == (
        1, True, [{"id": 7, "uuid": "s7"}])
    assert fake.calls[1] == ("instance_list", {"filters": {"node": "node1.example"}})
    with pytest.raises(exception.NotFound, match="Hypervisor with ID 9 could not be found"):
        service.get_hypervisor(ADMIN, (2, 1), "9")


@pytest.mark.parametrize("up_hosts,forced_down,expected", [
    ({"node1"}, False, " 10:00:00 up 5 min,  0 users,  load average: 0.00, 0.00, 0.00"),
    (set(), False, exception.ComputeServiceUnavailable),
    ({"node1"}, True, exception.ComputeServiceUnavailable),
])
def test_hypervisor_uptime(monkeypatch: pytest.MonkeyPatch, group: FakeGroup,
                           up_hosts: set[str], forced_down: bool, expected: Any) -> None:
    group.up_hosts = up_hosts
    nodes = [_node(1, "node1.example", {"host": "node1", "forced_down": forced_down})]
    stub(monkeypatch, hypervisors, host_states=nodes)
    agent = FakeConductor(strict=True, get_host_uptime=lambda host: (
        " 10:00:00 up 5 min,  0 users,  load average: 0.00, 0.00, 0.00"))
    monkeypatch.setattr(hypervisors, "compute", agent)
    if isinstance(expected, str):
        found = service.hypervisor_uptime(ADMIN, (2, 1), "1")
        assert (found["node"]["id"], found["uptime"]) == (1, expected)
        assert agent.calls == [("get_host_uptime", {"host": "node1"})]
    else:
        # a down host is not asked (its agent would not answer): Nova's 400
        with pytest.raises(expected, match="Compute service of node1 is unavailable"):
            service.hypervisor_uptime(ADMIN, (2, 1), "1")
        assert agent.calls == []


def test_hypervisor_uptime_a_driver_cannot_tell(monkeypatch: pytest.MonkeyPatch,
                                                group: FakeGroup) -> None:
    stub(monkeypatch, hypervisors, host_states=NODES[:1])
    monkeypatch.setattr(hypervisors, "compute", FakeConductor(
        get_host_uptime=exception.FeatureNotSupported(reason="no uptime")))
    with pytest.raises(exception.FeatureNotSupported) as caught:
        service.hypervisor_uptime(ADMIN, (2, 1), "1")
    assert caught.value.code == 501
    with pytest.raises(exception.NotFound):
        service.hypervisor_uptime(ADMIN, (2, 1), "9")
