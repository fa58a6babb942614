"""The build watchdog resolves builds that stopped making progress, and a restarted
compute agent finishes what it left half done. Each case puts a server in the state a
fault leaves behind (a lost message, a dead agent), then runs one watchdog round."""
from __future__ import annotations

import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from conductor.compute.build_watchdog import BuildWatchdog
from conductor.db import api as db
from conductor.db.models import Instance, utcnow
from stratus.config import CONF
from stratus.context import get_admin_context
from stratus.objects import states
from tests.functional.conftest import Cloud

TWO_HOSTS = [{"fake_hosts": 2}]


def _active_server(cloud: Cloud, **server: Any) -> dict[str, Any]:
    admin = cloud.headers()
    image = cloud.create_image(admin)["id"]
    return cloud.wait_for_server(admin, cloud.boot(admin, image, **server)["id"])


def _compute(cloud: Cloud, host: str) -> Any:
    return [s for s in cloud.services if s.binary == "stratus-compute" and s.host == host][0]


def _stall(server_id: str, age: float = 60, **values: Any) -> None:
    """Rewrite the row as a fault leaves it, last changed `age` seconds ago."""
    with db.writer() as s:
        s.execute(sa.update(Instance).where(Instance.uuid == server_id).values(
            vm_state=states.BUILDING, updated_at=utcnow() - datetime.timedelta(seconds=age),
            **values))


def _round() -> None:
    BuildWatchdog()._check_builds()


def _show(cloud: Cloud, server_id: str) -> dict[str, Any]:
    return cloud.wait_for_server(cloud.headers(), server_id)


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_build_never_placed_is_scheduled_again(cloud: Cloud) -> None:
    server = _active_server(cloud)
    _compute(cloud, server["OS-EXT-SRV-ATTR:host"]).endpoints[0].driver.destroy(
        None, {"uuid": server["id"]})
    _stall(server["id"], task_state=states.SCHEDULING, host=None, node=None)
    _round()
    again = _show(cloud, server["id"])
    assert again["status"] == "ACTIVE" and again["OS-EXT-SRV-ATTR:host"] is not None


def test_lost_build_message_is_sent_again(cloud: Cloud) -> None:
    server = _active_server(cloud)
    driver = _compute(cloud, "testhost").endpoints[0].driver
    driver.destroy(None, {"uuid": server["id"]})
    _stall(server["id"], task_state=states.SCHEDULING)
    _round()
    assert _show(cloud, server["id"])["status"] == "ACTIVE"
    assert server["id"] in driver.list_instances()


def test_finished_build_whose_update_was_lost_is_recorded(cloud: Cloud) -> None:
    server = _active_server(cloud)
    _stall(server["id"], task_state=states.SPAWNING, power_state=states.NOSTATE)
    _round()
    shown = _show(cloud, server["id"])
    assert (shown["status"], shown["OS-EXT-STS:power_state"]) == ("ACTIVE", states.RUNNING)


def test_stalled_build_past_the_timeout_fails_with_a_fault(cloud: Cloud) -> None:
    server = _active_server(cloud)
    with db.writer() as s:
        s.execute(sa.update(Instance).where(Instance.uuid == server["id"]).values(
            created_at=utcnow() - datetime.timedelta(seconds=CONF.instance_build_timeout + 5)))
    _stall(server["id"], task_state=states.SPAWNING)
    _round()
    shown = _show(cloud, server["id"])
    assert shown["status"] == "ERROR"
    assert shown["fault"]["message"].startswith("Build timed out")


def test_recent_builds_are_left_alone(cloud: Cloud) -> None:
    server = _active_server(cloud)
    _stall(server["id"], age=1, task_state=states.SCHEDULING, host=None, node=None)
    _round()
    shown = cloud.compute.get(f"/v2.1/servers/{server['id']}", headers=cloud.headers())
    assert shown.json()["server"]["status"] == "BUILD"


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_build_on_a_dead_agent_fails_over(cloud: Cloud) -> None:
    server = _active_server(cloud)
    dead = server["OS-EXT-SRV-ATTR:host"]
    _compute(cloud, dead).stop()
    cloud.compute.put("/v2.1/os-services/force-down", headers={
        **cloud.headers(), "OpenStack-API-Version": "compute 2.11"},
        json={"host": dead, "binary": "stratus-compute", "forced_down": True})
    _stall(server["id"], task_state=states.SPAWNING)
    _round()
    moved = _show(cloud, server["id"])
    assert moved["status"] == "ACTIVE" and moved["OS-EXT-SRV-ATTR:host"] not in (dead, None)


def test_restarted_agent_clears_the_task_it_left(cloud: Cloud) -> None:
    server = _active_server(cloud)
    with db.writer() as s:
        s.execute(sa.update(Instance).where(Instance.uuid == server["id"]).values(
            task_state=states.REBOOTING))
    manager = _compute(cloud, "testhost").endpoints[0]
    manager._recover_after_restart()
    shown = _show(cloud, server["id"])
    assert (shown["status"], shown["OS-EXT-STS:task_state"]) == ("ACTIVE", None)
    assert manager.build_status(get_admin_context(), server["id"]) == "running"
    assert manager.build_status(get_admin_context(), "no-such-instance") == "unknown"


def _evacuate(cloud: Cloud, server_id: str, body: dict[str, Any],
              headers: dict[str, str] | None = None, version: str = "2.29") -> Any:
    return cloud.compute.post(f"/v2.1/servers/{server_id}/action", json={"evacuate": body},
                              headers={**(headers or cloud.headers()),
                                       "OpenStack-API-Version": f"compute {version}"})


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_evacuate_only_from_a_down_host(cloud: Cloud) -> None:
    admin = cloud.headers()
    server = _active_server(cloud, availability_zone="nova:testhost")
    assert server["OS-EXT-SRV-ATTR:host"] == "testhost"
    busy = _evacuate(cloud, server["id"], {})
    assert busy.status_code == 409
    assert busy.json()["conflictingRequest"]["message"] == \
        "Conflict: Compute service of testhost is still in use."
    member = cloud.make_user("member")["headers"]
    assert _evacuate(cloud, server["id"], {}, headers=member).status_code in (403, 404)

    _compute(cloud, "testhost").stop()
    cloud.compute.put("/v2.1/os-services/force-down", headers={
        **admin, "OpenStack-API-Version": "compute 2.11"},
        json={"host": "testhost", "binary": "stratus-compute", "forced_down": True})
    same = _evacuate(cloud, server["id"], {"host": "testhost"})
    assert same.status_code == 400
    shared = _evacuate(cloud, server["id"], {"onSharedStorage": True}, version="2.13")
    assert shared.status_code == 400 and "Shared storage" in shared.text
    done = _evacuate(cloud, server["id"], {})
    assert done.status_code == 200, done.text
    moved = cloud.wait_for_server(admin, server["id"])
    assert (moved["status"], moved["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", "testhost-2")
    actions = cloud.compute.get(f"/v2.1/servers/{server['id']}/os-instance-actions",
                                headers=admin).json()["instanceActions"]
    assert actions[0]["action"] == "evacuate"
    nowhere = _evacuate(cloud, _active_server(cloud)["id"], {})
    assert nowhere.status_code == 409  # testhost-2 is up: that server cannot move
