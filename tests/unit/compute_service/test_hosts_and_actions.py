"""Host status, the no-host refusal and the actions table, without a cloud."""
from __future__ import annotations

from typing import Any

import pytest

from compute_api import service
from stratus import exception
from stratus.objects import states


@pytest.mark.parametrize("forced_down,disabled,is_up,expected", [
    (False, False, True, "UP"),
    (False, True, True, "MAINTENANCE"),
    (False, False, False, "DOWN"),
    (False, True, False, "DOWN"),
    (True, False, True, "DOWN"),
    (True, True, True, "DOWN"),
])
def test_liveness(forced_down: bool, disabled: bool, is_up: bool, expected: str) -> None:
    row = {"host": "h1", "forced_down": forced_down, "disabled": disabled}
    assert service.liveness(row, is_up) == expected


def test_no_host_statuses_before_2_16() -> None:
    # Decided before any policy check or RPC call.
    assert service.host_statuses(None, (2, 15)) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("host,refused", [(None, True), ("", True), ("h1", False)])
def test_require_host(host: str | None, refused: bool) -> None:
    inst: dict[str, Any] = {"uuid": "u1", "host": host}
    if refused:
        with pytest.raises(exception.InstanceInvalidState) as caught:
            service.require_host(inst, "rebuild")
        assert "host" in str(caught.value) and "rebuild" in str(caught.value)
    else:
        service.require_host(inst, "rebuild")


@pytest.mark.parametrize("kind,task_state,allowed", [
    ("HARD", states.REBOOTING_HARD, (states.ACTIVE, states.STOPPED, states.PAUSED,
                                     states.SUSPENDED, states.ERROR)),
    ("SOFT", states.REBOOTING, (states.ACTIVE,)),
])
def test_reboot_action(kind: str, task_state: str, allowed: tuple[str, ...]) -> None:
    action = service.reboot_action(kind)
    assert (action.task_state, action.vm_states, action.method) == (
        task_state, allowed, "reboot_instance")


@pytest.mark.parametrize("name,method", [
    ("os-stop", "stop_instance"), ("os-start", "start_instance"),
    ("pause", "pause_instance"), ("unpause", "unpause_instance"),
    ("suspend", "suspend_instance"), ("resume", "resume_instance"),
])
def test_power_actions_name_a_compute_method(name: str, method: str) -> None:
    from compute_agent.rpcapi import ComputeAPI
    assert service.POWER_ACTIONS[name].method == method
    assert method in ComputeAPI.methods()
