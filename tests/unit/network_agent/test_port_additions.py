"""A boot on a network the host already has reads only the new server's ports and adds
them to the host's configuration; a full read of the host that began earlier never undoes
an addition, one that began later replaces it."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from network_agent.fake_net import FakeNetDriver
from network_agent.manager import NetworkManager
from stratus.context import get_admin_context

HOST = "h1"


def _network(uuid: str, number: int) -> dict[str, Any]:
    return {"uuid": uuid, "id": number, "label": uuid, "manager": "FlatDHCPManager",
            "bridge": f"br{number}", "cidr": f"10.{number}.0.0/24",
            "gateway": f"10.{number}.0.1", "dhcp_start": f"10.{number}.0.2",
            "multi_host": False, "host": HOST, "dhcp_server": True, "mtu": None,
            "vni": None, "vlan": None, "cidr_v6": None, "dhcp_hosts": []}


def _port(number: int, server: str, network: int = 1) -> dict[str, Any]:
    return {"id": f"port-{number}", "instance_uuid": server, "address": f"10.{network}.0.{number}",
            "cidr": f"10.{network}.0.0/24", "mac": f"fa:16:3e:00:00:{number:02x}",
            "devname": f"tap-port-{number}", "rules": [], "address_v6": None,
            "cidr_v6": None}


def _entry(port: dict[str, Any]) -> dict[str, Any]:
    return {"mac": port["mac"], "ip": port["address"], "hostname": port["instance_uuid"],
            "instance_uuid": port["instance_uuid"]}


class Conductor:
    """The conductor's network domain as the agent sees it: a database of networks and
    ports, the reads counted."""

    def __init__(self) -> None:
        self.networks = [_network("net-1", 1)]
        self.ports: list[dict[str, Any]] = []
        self.reads: list[str] = []
        self.hold_host_read: threading.Event | None = None
        self.fail_next_port_read = False

    def can_send_version(self, version: str) -> bool:
        return True

    def network_host_report(self, ctx: Any, host: str, vtep: str | None) -> None:
        pass

    def host_config(self, ctx: Any, host: str) -> dict[str, Any]:
        self.reads.append("host")
        ports = list(self.ports)
        if self.hold_host_read is not None:
            self.hold_host_read.wait(5)
        return {"networks": [{**n, "dhcp_hosts": [_entry(p) for p in ports
                                                  if p["cidr"] == n["cidr"]]}
                             for n in self.networks],
                "floating_ips": [], "ports": ports}

    def instance_ports(self, ctx: Any, port_ids: list[str], host: str) -> dict[str, Any]:
        self.reads.append(f"ports {','.join(port_ids)}")
        if self.fail_next_port_read:
            self.fail_next_port_read = False
            raise RuntimeError("conductor unreachable")
        servers = {p["instance_uuid"] for p in self.ports if p["id"] in port_ids}
        ports = [p for p in self.ports if p["instance_uuid"] in servers]
        dhcp: dict[str, list[dict[str, Any]]] = {}
        for net in self.networks:
            for port in ports:
                if port["cidr"] == net["cidr"]:
                    dhcp.setdefault(net["uuid"], []).append(_entry(port))
        return {"instances": sorted(servers), "ports": ports, "dhcp_hosts": dhcp,
                "floating_ips": []}


@pytest.fixture
def conductor() -> Conductor:
    return Conductor()


@pytest.fixture
def agent(conductor: Conductor) -> NetworkManager:
    manager = NetworkManager(HOST, FakeNetDriver(None))
    manager.conductor = conductor  # type: ignore[assignment]
    manager.init_host()
    return manager


def _boot(agent: NetworkManager, conductor: Conductor, port: dict[str, Any]) -> None:
    conductor.ports.append(port)
    network = next(n for n in conductor.networks if n["cidr"] == port["cidr"])
    agent.setup_instance_network(get_admin_context(), network_info=[
        {"id": port["id"], "network": {"id": network["uuid"], "multi_host": False,
                                       "host": HOST}}])


def _served(agent: NetworkManager, network: str = "net-1") -> list[str]:
    driver = agent.driver
    assert isinstance(driver, FakeNetDriver)
    return [h.ip for h in driver.dhcp_hosts(network) or []]


def _chained(agent: NetworkManager) -> list[str]:
    driver = agent.driver
    assert isinstance(driver, FakeNetDriver)
    return [rule.split()[1].split("/")[0]
            for rule in driver.chain("filter", "stratus-ports") or []]


def test_a_boot_on_a_network_the_host_has_reads_only_its_servers_ports(
        agent: NetworkManager, conductor: Conductor) -> None:
    _boot(agent, conductor, _port(5, "server-a"))
    _boot(agent, conductor, _port(6, "server-b"))
    assert conductor.reads == ["host", "ports port-5", "ports port-6"]
    assert _served(agent) == _chained(agent) == ["10.1.0.5", "10.1.0.6"]


def test_a_boot_on_a_network_new_to_the_host_reads_the_host(
        agent: NetworkManager, conductor: Conductor) -> None:
    conductor.networks.append(_network("net-2", 2))
    _boot(agent, conductor, _port(7, "server-a", network=2))
    assert conductor.reads == ["host", "host"]
    assert _served(agent, "net-2") == _chained(agent) == ["10.2.0.7"]


def test_a_host_read_that_began_before_an_addition_does_not_undo_it(
        agent: NetworkManager, conductor: Conductor) -> None:
    conductor.hold_host_read = threading.Event()
    stale = threading.Thread(target=agent.refresh_host, args=(get_admin_context(),))
    stale.start()  # reads the host before server-a exists, then waits
    while conductor.reads[-1:] != ["host"] or len(conductor.reads) < 2:
        threading.Event().wait(0.01)
    _boot(agent, conductor, _port(5, "server-a"))
    assert _served(agent) == ["10.1.0.5"]
    conductor.hold_host_read.set()
    stale.join(5)
    assert _served(agent) == _chained(agent) == ["10.1.0.5"]
    conductor.hold_host_read = None
    conductor.ports.clear()  # server-a deleted: a read that began later drops it
    agent.refresh_host(get_admin_context())
    assert _served(agent) == _chained(agent) == []


def test_a_failed_read_leaves_its_ports_for_the_next_boot(
        agent: NetworkManager, conductor: Conductor) -> None:
    conductor.fail_next_port_read = True
    with pytest.raises(RuntimeError, match="unreachable"):
        _boot(agent, conductor, _port(5, "server-a"))
    assert _served(agent) == []
    _boot(agent, conductor, _port(6, "server-b"))
    assert conductor.reads[-1] == "ports port-5,port-6"
    assert _served(agent) == _chained(agent) == ["10.1.0.5", "10.1.0.6"]
