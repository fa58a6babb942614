"""Which servers get a config drive: those that ask, all when the operator forces it,
and those with a NIC on a network without DHCP (they learn their address only from it)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from compute_agent import manager
from compute_agent.virt import configdrive
from stratus.config import CONF


def _vif(dhcp: bool | None) -> dict[str, Any]:
    network: dict[str, Any] = {"id": "net-1", "subnets": []}
    if dhcp is not None:
        network["dhcp"] = dhcp
    return {"id": "vif-1", "address": "fa:16:3e:00:00:01", "network": network}


@pytest.fixture
def forced() -> Iterator[None]:
    CONF.set_override("force_config_drive", True, group="compute")
    yield
    CONF.clear_override("force_config_drive", group="compute")


@pytest.mark.parametrize("instance, expected", [
    ({"config_drive": "True"}, True),
    ({"config_drive": ""}, False),
    ({"config_drive": "", "network_info": None}, False),
    ({"config_drive": "", "network_info": [_vif(True)]}, False),
    ({"config_drive": "", "network_info": [_vif(None)]}, False),  # older network_info: DHCP
    ({"config_drive": "", "network_info": [_vif(False)]}, True),
    ({"config_drive": "", "network_info": [_vif(True), _vif(False)]}, True),
])
def test_a_drive_is_wanted_when_asked_for_or_a_network_has_no_dhcp(
        instance: dict[str, Any], expected: bool) -> None:
    assert configdrive.wanted(instance) is expected


def test_the_operator_can_force_a_drive_on_every_server(forced: None) -> None:
    assert configdrive.wanted({"config_drive": "", "network_info": [_vif(True)]})


def test_a_drive_given_unasked_is_recorded_on_the_server() -> None:
    assert manager._config_drive_given({"config_drive": "", "network_info": [_vif(False)]}) \
        == {"config_drive": "True"}
    assert manager._config_drive_given({"config_drive": "True"}) == {}
    assert manager._config_drive_given({"config_drive": "", "network_info": [_vif(True)]}) \
        == {}


def test_forced_drives_are_recorded_too(forced: None) -> None:
    assert manager._config_drive_given({"config_drive": ""}) == {"config_drive": "True"}
