"""nova-network's create bodies in the conductor's terms, who sees which networks, and
fixed IP addresses checked, with a fake conductor."""
from __future__ import annotations

from typing import Any

import pytest

from compute_api.service import networks
from stratus import exception
from tests.unit.compute_service.fakes import ADMIN, MEMBER, stub


@pytest.mark.parametrize("body,expected", [
    ({"label": "a", "cidr": "10.0.0.0/24"}, {"label": "a", "cidr": "10.0.0.0/24"}),
    ({"label": "a", "cidr": "10.0.0.0/24", "vlan_start": "7", "mtu": ""},
     {"label": "a", "cidr": "10.0.0.0/24", "vlan": 7}),
    ({"label": "a", "cidr": "10.0.0.0/24", "vlan": 9, "vlan_start": 7},
     {"label": "a", "cidr": "10.0.0.0/24", "vlan": 9}),
    ({"label": "a", "cidr": "10.0.0.0/24", "multi_host": "true", "enable_dhcp": "0",
      "allowed_start": "10.0.0.10", "allowed_end": "10.0.0.20", "share_address": True,
      "dhcp_server": "10.0.0.1", "gateway": "", "project_id": "p9", "mtu": 1400},
     {"label": "a", "cidr": "10.0.0.0/24", "multi_host": True, "enable_dhcp": False,
      "dhcp_start": "10.0.0.10", "project_id": "p9", "mtu": 1400}),
    ({"label": "a", "cidr_v6": "fd00::/64"}, exception.Invalid),
])
def test_network_values(body: dict[str, Any], expected: Any) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            networks.network_values(body)
    else:
        assert networks.network_values(body) == expected


@pytest.mark.parametrize("body,expected", [
    ({"label": "t", "cidr": "10.1.0.0/24", "vlan_start": 5, "num_networks": 1,
      "network_size": 256},
     {"label": "t", "cidr": "10.1.0.0/24", "vlan": 5, "project_id": "p1"}),
    ({"label": "t", "cidr": "10.1.0.0/24", "num_networks": "2"}, exception.Invalid),
    ({"label": "t", "cidr_v6": "fd00::/64"}, exception.Invalid),
])
def test_tenant_network_values(body: dict[str, Any], expected: Any) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            networks.tenant_network_values(MEMBER, body)
    else:
        assert networks.tenant_network_values(MEMBER, body) == expected


def test_admins_see_every_network_others_their_project_s_and_the_shared(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stub(monkeypatch, networks, network_list=[], network_get={})
    networks.list_networks(ADMIN)
    networks.list_networks(MEMBER)
    networks.get_network(ADMIN, "n1")
    networks.get_network(MEMBER, "n1")
    assert fake.calls == [
        ("network_list", {"project_id": None, "shared": True}),
        ("network_list", {"project_id": "p1", "shared": True}),
        ("network_get", {"network_uuid": "n1", "project_id": None}),
        ("network_get", {"network_uuid": "n1", "project_id": "p1"})]


def test_adding_a_network_to_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    nets = [{"uuid": "shared", "project_id": None, "vlan": None, "vni": None},
            {"uuid": "taken", "project_id": "p7", "vlan": 100, "vni": None},
            {"uuid": "free", "project_id": None, "vlan": None, "vni": 101}]
    fake = stub(monkeypatch, networks, network_list=nets, network_update={})
    networks.add_network_to_project(MEMBER, None)
    assert fake.calls[-1] == ("network_update", {"network_uuid": "free",
                                                 "values": {"project_id": "p1"}})
    fake.answers["network_update"] = exception.NetworkNotFound(network_id="x")
    with pytest.raises(exception.Invalid, match="Network x could not be found"):
        networks.add_network_to_project(MEMBER, "x")
    fake.answers["network_list"] = nets[:2]
    with pytest.raises(exception.Invalid, match="No more available networks"):
        networks.add_network_to_project(MEMBER, None)


@pytest.mark.parametrize("address,expected", [
    ("10.0.0.5", "10.0.0.5"), ("010.0.0.5", exception.Invalid),
    ("10.0.0.256", exception.Invalid), ("banana", exception.Invalid),
    ("fd00::5", exception.NotFound),
])
def test_fixed_ip_address(address: str, expected: Any) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            networks.fixed_ip_address(address)
    else:
        assert networks.fixed_ip_address(address) == expected


def test_a_shared_network_is_deleted_through_tenant_networks_by_admins_only(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stub(monkeypatch, networks, network_delete=None,
                network_get={"uuid": "s", "project_id": None})
    with pytest.raises(exception.Forbidden):
        networks.delete_tenant_network(MEMBER, "s")
    networks.delete_tenant_network(ADMIN, "s")
    fake.answers["network_get"] = {"uuid": "m", "project_id": "p1"}
    networks.delete_tenant_network(MEMBER, "m")
    assert [c for c in fake.calls if c[0] == "network_delete"] == [
        ("network_delete", {"network_uuid": "s"}), ("network_delete", {"network_uuid": "m"})]
