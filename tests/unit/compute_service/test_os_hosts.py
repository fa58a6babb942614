"""The deprecated /os-hosts API's service layer: hosts of the services, a host's resource
rows, enabling and disabling it, and the refusals, with a fake conductor."""
from __future__ import annotations

from typing import Any

import pytest

from compute_api import service
from compute_api.service import hosts, services
from stratus import exception
from tests.unit.compute_service.fakes import ADMIN, stub
from tests.unit.fakes import FakeConductor


def _svc(host: str, binary: str, disabled: bool = False) -> dict[str, Any]:
    return {"host": host, "binary": binary, "disabled": disabled}


SERVICES = [_svc("ctl", "stratus-conductor"), _svc("ctl", "stratus-scheduler"),
            _svc("c1", "stratus-compute"), _svc("c2", "stratus-compute"),
            _svc("c3", "stratus-compute", disabled=True)]
AGGREGATES = [{"hosts": ["c2", "c3"], "metadata": {"availability_zone": "az1"}}]


@pytest.mark.parametrize("binary,topic", [
    ("stratus-compute", "compute"), ("stratus-scheduler", "scheduler"),
    ("stratus-conductor", "conductor"), ("stratus-network-agent", "network-agent"),
    ("other", "other"),
])
def test_service_topic(binary: str, topic: str) -> None:
    assert hosts.service_topic(binary) == topic


@pytest.mark.parametrize("zone,expected", [
    (None, [("ctl", "conductor", "internal"), ("ctl", "scheduler", "internal"),
            ("c1", "compute", "nova"), ("c2", "compute", "az1")]),
    ("", [("ctl", "conductor", "internal"), ("ctl", "scheduler", "internal"),
          ("c1", "compute", "nova"), ("c2", "compute", "az1")]),
    ("az1", [("c2", "compute", "az1")]),
    ("internal", [("ctl", "conductor", "internal"), ("ctl", "scheduler", "internal")]),
    ("nowhere", []),
])
def test_list_hosts(monkeypatch: pytest.MonkeyPatch, zone: str | None,
                    expected: list[tuple[str, str, str]]) -> None:
    stub(monkeypatch, hosts, service_list=SERVICES, aggregate_list=AGGREGATES)
    # disabled services (c3) are left out, as Nova leaves them
    assert [(h["host_name"], h["service"], h["zone"])
            for h in service.list_hosts(ADMIN, zone)] == expected


NODES = [{"host": "c1", "hypervisor_hostname": "c1", "vcpus": 8, "memory_mb": 4096,
          "local_gb": 100, "vcpus_used": 3, "memory_mb_used": 1536, "local_gb_used": 31}]


def _instance(project: str, vcpus: int, memory_mb: int, root_gb: int,
              ephemeral_gb: int = 0) -> dict[str, Any]:
    return {"project_id": project, "vcpus": vcpus, "memory_mb": memory_mb,
            "root_gb": root_gb, "ephemeral_gb": ephemeral_gb}


def test_host_resources(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stub(monkeypatch, hosts, host_states=NODES, instance_list=[
        _instance("p1", 1, 512, 1), _instance("p2", 2, 1024, 20, 10),
        _instance("p1", 1, 512, 1)])
    rows = service.host_resources(ADMIN, "c1")
    assert [(r["project"], r["cpu"], r["memory_mb"], r["disk_gb"]) for r in rows] == [
        ("(total)", 8, 4096, 100), ("(used_now)", 3, 1536, 31), ("(used_max)", 4, 2048, 32),
        ("p1", 2, 1024, 2), ("p2", 2, 1024, 30)]
    assert {r["host"] for r in rows} == {"c1"}
    assert fake.calls[1] == ("instance_list", {"filters": {"host": "c1"}})


def test_host_resources_of_a_host_without_a_node(monkeypatch: pytest.MonkeyPatch) -> None:
    stub(monkeypatch, hosts, host_states=NODES)
    with pytest.raises(exception.ComputeHostNotFound,
                       match="Compute host ctl could not be found."):
        service.host_resources(ADMIN, "ctl")


@pytest.fixture
def conductor(monkeypatch: pytest.MonkeyPatch) -> FakeConductor:
    """One fake for both modules: enabling goes through the os-services functions."""
    def service_list(host: str | None = None, binary: str | None = None) -> list[Any]:
        return [s for s in SERVICES if s["host"] == host and s["binary"] == binary]
    fake = stub(monkeypatch, hosts, service_list=service_list, service_update={})
    monkeypatch.setattr(services, "conductor", fake)
    return fake


@pytest.mark.parametrize("enabled,expected,values", [
    (True, {"host": "c1", "status": "enabled"}, {"disabled": False, "disabled_reason": None}),
    (False, {"host": "c1", "status": "disabled"}, {"disabled": True}),
    (None, {"host": "c1"}, None),
])
def test_update_host_status(conductor: FakeConductor, enabled: bool | None,
                            expected: dict[str, str], values: dict[str, Any] | None) -> None:
    assert service.update_host(ADMIN, "c1", enabled, None) == expected
    updates = [kw for name, kw in conductor.calls if name == "service_update"]
    assert updates == ([] if values is None else [
        {"host": "c1", "binary": "stratus-compute", "values": values}])


@pytest.mark.parametrize("enabled", [True, False, None])
@pytest.mark.parametrize("maintenance", [True, False])
def test_no_maintenance_mode(conductor: FakeConductor, enabled: bool | None,
                             maintenance: bool) -> None:
    with pytest.raises(exception.FeatureNotSupported, match="maintenance mode") as caught:
        service.update_host(ADMIN, "c1", enabled, maintenance)
    assert caught.value.code == 501
    assert conductor.names() == ["service_list"]  # refused before anything changes


@pytest.mark.parametrize("call", [
    lambda: service.update_host(ADMIN, "ctl", True, None),
    lambda: service.update_host(ADMIN, "nohost", None, True),
    lambda: service.host_power_action(ADMIN, "nohost", "reboot"),
])
def test_unknown_compute_host(conductor: FakeConductor, call: Any) -> None:
    with pytest.raises(exception.ComputeHostNotFound):
        call()
    assert conductor.names() == ["service_list"]


@pytest.mark.parametrize("action,words", [
    ("startup", "cannot start up their host; start up c1"),
    ("shutdown", "cannot shut down their host; shut down c1"),
    ("reboot", "cannot reboot their host; reboot c1"),
])
def test_host_power_actions(conductor: FakeConductor, action: str, words: str) -> None:
    with pytest.raises(exception.FeatureNotSupported, match=words) as caught:
        service.host_power_action(ADMIN, "c1", action)
    assert str(caught.value).startswith("The requested functionality is not supported.")
