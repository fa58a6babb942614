"""The fake data plane keeps what the agent asked for, and refuses what Linux would."""
from __future__ import annotations

import pytest

from network_agent.driver import DhcpHost, DhcpRange, Firewall, NetworkDriverError
from network_agent.fake_net import FakeNetDriver

RANGE = DhcpRange("10.1.0.0", 24, "subnet1", gateway="10.1.0.1")
HOST = DhcpHost("52:54:00:00:00:01", "vm1", "10.1.0.5")


def _dhcp(driver: FakeNetDriver, hosts: list[DhcpHost], mtu: int = 1450) -> None:
    driver.update_dhcp("net1", bridge="br-1", hosts=hosts, ranges=[RANGE],
                       dns_servers=["10.1.0.2"], mtu=mtu)


def test_bridge_addresses_and_vxlan() -> None:
    driver = FakeNetDriver(interfaces={"eth1"})
    driver.ensure_bridge("br-1", addresses=["10.1.0.1/24", "fd00::1/64"], interface="eth1")
    driver.ensure_bridge("br-1", addresses=["10.1.0.1/24"], mtu=1450)
    driver.ensure_vxlan("br-1", vni=100, underlay="eth1", local_ip="192.168.0.1",
                        remotes=["192.168.0.3", "192.168.0.2"])
    assert driver.bridges["br-1"].addresses == ["10.1.0.1/24"]
    assert driver.bridges["br-1"].ports == {"eth1", "vx-100"}
    assert driver.tunnels["vx-100"].remotes == ["192.168.0.2", "192.168.0.3"]
    driver.delete_bridge("br-1")
    driver.delete_bridge("br-1")
    assert driver.bridges == {} and driver.tunnels == {}


def test_invalid_values_are_refused() -> None:
    driver = FakeNetDriver()
    with pytest.raises(NetworkDriverError, match="interface name"):
        driver.ensure_bridge("br-1; rm -rf /", addresses=[])
    with pytest.raises(NetworkDriverError, match="address/prefix"):
        driver.ensure_bridge("br-1", addresses=["10.1.0.300/24"])
    with pytest.raises(NetworkDriverError, match="does not exist"):
        driver.ensure_vxlan("br-x", vni=5, underlay="eth1", local_ip="192.168.0.1", remotes=[])


def test_dhcp_reloads_for_hosts_and_restarts_for_options() -> None:
    driver = FakeNetDriver()
    _dhcp(driver, [HOST])
    second = DhcpHost("52:54:00:00:00:02", "vm2", "10.1.0.6")
    _dhcp(driver, [HOST, second])
    assert driver.dhcp_hosts("net1") == [HOST, second]
    assert (driver.dhcp["net1"].starts, driver.dhcp["net1"].reloads) == (1, 1)
    _dhcp(driver, [HOST], mtu=1400)
    assert driver.dhcp["net1"].starts == 2
    driver.stop_dhcp("net1")
    assert driver.dhcp_hosts("net1") == []


def test_vlan_reports_the_missing_kernel_feature() -> None:
    driver = FakeNetDriver(vlan_reason="no 802.1Q here")
    driver.ensure_bridge("br-1", addresses=[])
    assert driver.vlan_supported() == "no 802.1Q here"
    with pytest.raises(NetworkDriverError, match="no 802.1Q here"):
        driver.ensure_vlan("br-1", vlan=10, interface="eth1")


def test_firewall_is_replaced_whole() -> None:
    driver = FakeNetDriver()
    driver.apply_firewall(Firewall(chains={"nat": {"stratus-pre": ["-j RETURN"]}},
                                   jumps={"nat": {"PREROUTING": ["-j stratus-pre"]}}))
    assert driver.chain("nat", "stratus-pre") == ["-j RETURN"]
    assert driver.jumps("nat", "PREROUTING") == ["-j stratus-pre"]
    driver.apply_firewall(Firewall())
    assert driver.chain("nat", "stratus-pre") is None
    with pytest.raises(NetworkDriverError, match="must go to one of our"):
        driver.apply_firewall(Firewall(jumps={"filter": {"INPUT": ["-j ACCEPT"]}}))
