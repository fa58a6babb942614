"""Server actions that guard, mend or keep a server: lock/unlock, os-resetState, deferred
delete with restore and forceDelete."""
from __future__ import annotations

import time
from typing import Any

import pytest

from tests.functional.conftest import Cloud
from tests.functional.microversions import at


def _post(cloud: Cloud, headers: dict[str, str], sid: str, body: dict[str, Any]) -> Any:
    return cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=headers, json=body)


def _server(cloud: Cloud, headers: dict[str, str]) -> str:
    image = cloud.create_image(cloud.headers(), visibility="public")
    sid = cloud.boot(headers, image["id"])["id"]
    assert cloud.wait_for_server(headers, sid)["status"] == "ACTIVE"
    return sid


def _actions(cloud: Cloud, headers: dict[str, str], sid: str) -> list[str]:
    listed = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions", headers=headers)
    return [a["action"] for a in listed.json()["instanceActions"]]


def test_a_locked_server_refuses_its_owner_until_unlocked(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    sid = _server(cloud, h)
    assert _post(cloud, h, sid, {"lock": None}).status_code == 202
    shown = cloud.compute.get(f"/v2.1/servers/{sid}", headers=at(h, 9)).json()["server"]
    assert shown["locked"] is True
    for body in ({"os-stop": None}, {"reboot": {"type": "HARD"}}, {"pause": {}}):
        refused = _post(cloud, h, sid, body)
        assert refused.status_code == 409, body
        assert refused.json()["conflictingRequest"]["message"] == f"Instance {sid} is locked"
    deleted = cloud.compute.delete(f"/v2.1/servers/{sid}", headers=h)
    assert deleted.status_code == 409
    assert _post(cloud, h, sid, {"unlock": None}).status_code == 202
    assert cloud.compute.get(f"/v2.1/servers/{sid}", headers=at(h, 9)).json()["server"][
        "locked"] is False
    assert _post(cloud, h, sid, {"os-stop": None}).status_code == 202
    assert cloud.wait_for_server(h, sid, until=("SHUTOFF",))["status"] == "SHUTOFF"
    assert _actions(cloud, h, sid)[:3] == ["stop", "unlock", "lock"]


def test_an_admin_lock_holds_against_the_owner(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h, admin = member["headers"], cloud.headers()
    sid = _server(cloud, h)
    assert _post(cloud, admin, sid, {"lock": {}}).status_code == 202
    # The owner may not lift an admin's lock (unlock_override is admin-only) ...
    denied = _post(cloud, h, sid, {"unlock": None})
    assert denied.status_code == 403
    # ... while an admin acts on the locked server and lifts the lock.
    assert _post(cloud, admin, sid, {"pause": None}).status_code == 202
    assert cloud.wait_for_server(admin, sid, until=("PAUSED",))["status"] == "PAUSED"
    assert _post(cloud, admin, sid, {"unlock": None}).status_code == 202
    assert _post(cloud, h, sid, {"unpause": None}).status_code == 202
    reader = cloud.make_user("reader", project=member["project_name"])
    assert _post(cloud, reader["headers"], sid, {"lock": None}).status_code == 403
    stranger = cloud.make_user("member")
    assert _post(cloud, stranger["headers"], sid, {"lock": None}).status_code == 404


def test_reset_state_mends_a_server_for_admins_only(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h, admin = member["headers"], cloud.headers()
    sid = _server(cloud, h)
    assert _post(cloud, h, sid, {"os-resetState": {"state": "error"}}).status_code == 403
    assert _post(cloud, admin, sid, {"os-resetState": {"state": "error"}}).status_code == 202
    shown = cloud.compute.get(f"/v2.1/servers/{sid}", headers=admin).json()["server"]
    assert (shown["status"], shown["OS-EXT-STS:task_state"]) == ("ERROR", None)
    for bad in ({"state": "paused"}, {}, {"state": "active", "extra": 1}):
        refused = _post(cloud, admin, sid, {"os-resetState": bad})
        assert refused.status_code == 400, bad
        assert "badRequest" in refused.json()
    # A server in ERROR is deleted like any other (Tempest's delete-in-error test).
    assert cloud.compute.delete(f"/v2.1/servers/{sid}", headers=h).status_code == 204
    cloud.wait_until_gone(h, sid)


DEFERRED = {"config": {None: {"reclaim_instance_interval": 2}}}


@pytest.mark.parametrize("cloud", [DEFERRED], indirect=True)
def test_deferred_delete_restore_and_force_delete(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    sid = _server(cloud, h)
    wrong = _post(cloud, h, sid, {"restore": None})
    assert wrong.status_code == 409
    assert wrong.json()["conflictingRequest"]["message"] == \
        f"Cannot 'restore' instance {sid} while it is in vm_state active"
    assert cloud.compute.delete(f"/v2.1/servers/{sid}", headers=h).status_code == 204
    kept = cloud.wait_for_server(h, sid, until=("SOFT_DELETED",))
    assert (kept["status"], kept["OS-EXT-STS:power_state"]) == ("SOFT_DELETED", 4)
    assert _post(cloud, h, sid, {"restore": {}}).status_code == 202
    back = cloud.wait_for_server(h, sid, until=("ACTIVE",))
    assert (back["OS-EXT-STS:power_state"], back["OS-EXT-STS:task_state"]) == (1, None)
    assert cloud.compute.delete(f"/v2.1/servers/{sid}", headers=h).status_code == 204
    cloud.wait_for_server(h, sid, until=("SOFT_DELETED",))
    assert _post(cloud, h, sid, {"forceDelete": None}).status_code == 202
    cloud.wait_until_gone(h, sid)
    assert _actions(cloud, cloud.headers(), sid)[:4] == ["delete", "delete", "restore",
                                                          "delete"]


@pytest.mark.parametrize("cloud", [DEFERRED], indirect=True)
def test_soft_deleted_servers_are_reclaimed_after_the_interval(cloud: Cloud) -> None:
    h = cloud.make_user("member")["headers"]
    sid, broken = _server(cloud, h), _server(cloud, h)
    assert cloud.compute.delete(f"/v2.1/servers/{sid}", headers=h).status_code == 204
    assert cloud.wait_for_server(h, sid, until=("SOFT_DELETED",))["status"] == "SOFT_DELETED"
    cloud.wait_until_gone(h, sid, timeout=10)
    # A server in ERROR cannot be soft-deleted: it goes at once, as in Nova.
    admin = cloud.headers()
    assert _post(cloud, admin, broken, {"os-resetState": {"state": "error"}}).status_code == 202
    assert cloud.compute.delete(f"/v2.1/servers/{broken}", headers=h).status_code == 204
    cloud.wait_until_gone(h, broken, timeout=2)


def test_rescue_and_unrescue(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    sid = _server(cloud, h)
    rescue_image = cloud.create_image(cloud.headers(), visibility="public")
    resp = _post(cloud, h, sid, {"rescue": {"rescue_image_ref": rescue_image["id"],
                                            "adminPass": "s3cret"}})
    assert resp.status_code == 200 and resp.json() == {"adminPass": "s3cret"}
    rescued = cloud.wait_for_server(h, sid, until=("RESCUE", "ERROR"))
    assert (rescued["status"], rescued["OS-EXT-STS:vm_state"]) == ("RESCUE", "rescued")
    for body in ({"reboot": {"type": "SOFT"}}, {"rebuild": {"imageRef": rescue_image["id"]}},
                 {"rescue": None}):
        assert _post(cloud, h, sid, body).status_code == 409, body
    assert _post(cloud, h, sid, {"unrescue": None}).status_code == 202
    back = cloud.wait_for_server(h, sid, until=("ACTIVE", "ERROR"))
    assert (back["status"], back["OS-EXT-STS:task_state"]) == ("ACTIVE", None)
    assert _post(cloud, h, sid, {"unrescue": None}).status_code == 409
    own = _post(cloud, h, sid, {"rescue": None})
    assert own.status_code == 200 and len(own.json()["adminPass"]) >= 8
    cloud.wait_for_server(h, sid, until=("RESCUE",))
    assert _actions(cloud, h, sid)[:3] == ["rescue", "unrescue", "rescue"]
    missing = _post(cloud, h, _server(cloud, h), {"rescue": {
        "rescue_image_ref": "00000000-0000-0000-0000-000000000000"}})
    assert missing.status_code == 400 and "badRequest" in missing.json()


def _shelved_images(cloud: Cloud, sid: str) -> list[dict[str, Any]]:
    return [i for i in cloud.image.get("/v2/images", headers=cloud.headers()).json()["images"]
            if i.get("instance_uuid") == sid]


def _settle(cloud: Cloud, headers: dict[str, str], sid: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        server = cloud.wait_for_server(headers, sid, until=(status, "ERROR"))
        if server["OS-EXT-STS:task_state"] is None or time.monotonic() > deadline:
            return server
        time.sleep(0.02)


def test_shelve_offloads_and_unshelve_schedules_anew(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h, admin = member["headers"], cloud.headers()
    sid = _server(cloud, h)
    assert _post(cloud, h, sid, {"unshelve": None}).status_code == 409
    assert _post(cloud, h, sid, {"shelve": None}).status_code == 202
    # shelved_offload_time is 0 by default (as Nova's): the guest goes at once.
    shelved = _settle(cloud, admin, sid, "SHELVED_OFFLOADED")
    assert (shelved["status"], shelved["OS-EXT-SRV-ATTR:host"]) == ("SHELVED_OFFLOADED", None)
    [image] = _shelved_images(cloud, sid)
    assert (image["name"], image["status"]) == ("vm-shelved", "active")
    assert _post(cloud, h, sid, {"os-start": None}).status_code == 409
    assert _post(cloud, h, sid, {"unshelve": None}).status_code == 202
    back = _settle(cloud, admin, sid, "ACTIVE")
    assert (back["status"], back["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", "testhost")
    assert _shelved_images(cloud, sid) == []
    assert _actions(cloud, h, sid)[:2] == ["unshelve", "shelve"]


@pytest.mark.parametrize("cloud", [{"config": {None: {"shelved_offload_time": -1}}}],
                         indirect=True)
def test_a_shelved_server_keeps_its_host_until_offloaded(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h, admin = member["headers"], cloud.headers()
    sid = _server(cloud, h)
    assert _post(cloud, h, sid, {"shelve": {}}).status_code == 202
    shelved = _settle(cloud, admin, sid, "SHELVED")
    assert (shelved["OS-EXT-SRV-ATTR:host"], shelved["OS-EXT-STS:power_state"]) == \
        ("testhost", 4)
    assert _post(cloud, h, sid, {"unshelve": None}).status_code == 202
    assert _settle(cloud, admin, sid, "ACTIVE")["OS-EXT-STS:power_state"] == 1
    assert _shelved_images(cloud, sid) == []
    assert _post(cloud, h, sid, {"shelve": None}).status_code == 202
    _settle(cloud, admin, sid, "SHELVED")
    assert _post(cloud, h, sid, {"shelveOffload": None}).status_code == 403
    assert _post(cloud, admin, sid, {"shelveOffload": None}).status_code == 202
    offloaded = _settle(cloud, admin, sid, "SHELVED_OFFLOADED")
    assert offloaded["OS-EXT-SRV-ATTR:host"] is None
    assert _post(cloud, h, sid, {"unshelve": None}).status_code == 202
    assert _settle(cloud, admin, sid, "ACTIVE")["OS-EXT-SRV-ATTR:host"] == "testhost"
