"""POST /servers/{id}/action (fake driver here; real guests in test_libvirt_guests.py)."""
from __future__ import annotations

import time

from conductor import rpcapi as conductor_rpcapi
from stratus.context import get_admin_context
from tests.functional.conftest import Cloud


def test_console_output(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.boot(admin, cloud.create_image(admin)["id"], name="con")["id"]
    cloud.wait_for_server(admin, sid)
    url = f"/v2.1/servers/{sid}/action"
    resp = cloud.compute.post(url, headers=admin, json={"os-getConsoleOutput": {}})
    assert resp.status_code == 200
    assert resp.json()["output"].splitlines() == [
        "fake guest con: booting", "fake guest con: kernel started",
        "fake guest con: root file system mounted", "fake guest con: started on testhost"]
    # Nova's count: the log ends in a newline, so its last 2 pieces are one line and "".
    last = cloud.compute.post(url, headers=admin, json={"os-getConsoleOutput": {"length": 2}})
    assert last.json() == {"output": "fake guest con: started on testhost\n"}
    whole = cloud.compute.post(url, headers=admin, json={"os-getConsoleOutput": {"length": 0}})
    assert whole.json() == resp.json()
    bad = cloud.compute.post(url, headers=admin, json={"os-getConsoleOutput": {"length": "x"}})
    assert bad.status_code == 400
    unknown = cloud.compute.post(url, headers=admin, json={"os-fly": {}})
    assert unknown.status_code == 400 and "no such action" in unknown.text
    two = cloud.compute.post(url, headers=admin, json={"a": {}, "b": {}})
    assert two.status_code == 400
    other = cloud.make_user("member")
    assert cloud.compute.post(url, headers=other["headers"],
                              json={"os-getConsoleOutput": {}}).status_code == 404


def test_console_output_of_a_server_not_built_is_409(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    from stratus.config import CONF
    CONF.set_override("fail_spawn_images", [image["id"]], group="fake")
    try:
        sid = cloud.boot(admin, image["id"])["id"]
        assert cloud.wait_for_server(admin, sid)["status"] == "ERROR"
    finally:
        CONF.clear_override("fail_spawn_images", group="fake")
    resp = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=admin,
                              json={"os-getConsoleOutput": {"length": 5}})
    assert resp.status_code == 409 and "conflictingRequest" in resp.json()
    row = conductor_rpcapi.client().instance_get(get_admin_context(), instance_uuid=sid)
    assert row["host"] is None


def _act(cloud: Cloud, headers: dict[str, str], sid: str, body: dict[str, object]) -> int:
    return cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=headers,
                              json=body).status_code


def test_power_actions_move_through_their_states(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    image = cloud.create_image(cloud.headers(), visibility="public")
    sid = cloud.boot(h, image["id"])["id"]
    cloud.wait_for_server(h, sid)
    steps = [({"os-stop": None}, "SHUTOFF", 4), ({"os-start": None}, "ACTIVE", 1),
             ({"reboot": {"type": "SOFT"}}, "ACTIVE", 1), ({"pause": {}}, "PAUSED", 3),
             ({"unpause": None}, "ACTIVE", 1), ({"suspend": None}, "SUSPENDED", 4),
             ({"resume": None}, "ACTIVE", 1), ({"reboot": {"type": "HARD"}}, "ACTIVE", 1)]
    for body, status, power in steps:
        assert _act(cloud, h, sid, body) == 202, body
        server = cloud.wait_for_server(h, sid, until=(status,))
        assert server["OS-EXT-STS:power_state"] == power, body
        assert server["OS-EXT-STS:task_state"] is None
    actions = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions", headers=h).json()
    names = [a["action"] for a in actions["instanceActions"]]
    assert names == ["reboot", "resume", "suspend", "unpause", "pause", "reboot", "start",
                     "stop", "create"]
    stop = actions["instanceActions"][-2]
    assert stop["user_id"] == member["user_id"] and stop["request_id"].startswith("req-")
    shown = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions/{stop['request_id']}",
                              headers=h).json()["instanceAction"]
    assert shown["action"] == "stop" and "events" not in shown
    admin = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions/{stop['request_id']}",
                              headers=cloud.headers()).json()["instanceAction"]
    # host is shown from 2.62 (tests/functional/test_microversions_2_48_2_63.py)
    assert [(e["event"], e["result"], "host" in e) for e in admin["events"]] == [
        ("compute_stop_instance", "Success", False)]
    other = cloud.make_user("member")
    assert cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions",
                             headers=other["headers"]).status_code == 404


def test_actions_in_the_wrong_state_are_409(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.boot(admin, cloud.create_image(admin)["id"])["id"]
    cloud.wait_for_server(admin, sid)
    for body in ({"os-start": None}, {"unpause": None}, {"resume": None}):
        resp = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=admin, json=body)
        assert resp.status_code == 409, body
        assert "vm_state active" in resp.json()["conflictingRequest"]["message"]
    assert _act(cloud, admin, sid, {"reboot": {"type": "WARM"}}) == 400
    assert _act(cloud, admin, sid, {"pause": {"now": True}}) == 400
    assert _act(cloud, admin, sid, {"pause": "now"}) == 400
    reader = cloud.make_user("reader", project="admin")
    assert _act(cloud, reader["headers"], sid, {"os-stop": None}) == 403
    server = cloud.wait_for_server(admin, sid)
    assert server["status"] == "ACTIVE" and server["OS-EXT-STS:task_state"] is None


def test_create_image_snapshots_into_a_bootable_image(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = {**member["headers"], "OpenStack-API-Version": "compute 2.47"}
    base = cloud.create_image(cloud.headers(), visibility="public", kernel_id="k-1",
                              os_command_line="console=ttyS0")
    sid = cloud.boot(h, base["id"], metadata={"a": "b"})["id"]
    cloud.wait_for_server(h, sid)
    resp = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=h, json={
        "createImage": {"name": "snap", "metadata": {"purpose": "test"}}})
    assert resp.status_code == 202
    image_id = resp.json()["image_id"]
    assert resp.headers["Location"].endswith(f"/v2/images/{image_id}")
    deadline = __import__("time").monotonic() + 15
    while True:
        image = cloud.image.get(f"/v2/images/{image_id}", headers=member["headers"]).json()
        if image["status"] == "active":
            break
        assert __import__("time").monotonic() < deadline, image
    assert image["instance_uuid"] == sid and image["base_image_ref"] == base["id"]
    assert image["image_type"] == "snapshot" and image["purpose"] == "test"
    assert image["kernel_id"] == "k-1" and image["visibility"] == "private"
    assert image["owner"] == member["project_id"] and image["disk_format"] == "raw"
    data = cloud.image.get(f"/v2/images/{image_id}/file", headers=member["headers"]).content
    assert data == f"fake snapshot of {sid}\n".encode()
    server = cloud.wait_for_server(h, sid)
    assert server["status"] == "ACTIVE" and server["OS-EXT-STS:task_state"] is None
    second = cloud.boot(h, image_id)["id"]
    assert cloud.wait_for_server(h, second)["status"] == "ACTIVE"
    old = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=member["headers"],
                             json={"createImage": {"name": "snap2"}})
    assert old.status_code == 202 and old.content == b"" and "Location" in old.headers
    bad = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=h,
                             json={"createImage": {}})
    assert bad.status_code == 400


def test_rebuild_and_diagnostics(cloud: Cloud) -> None:
    admin = {**cloud.headers(), "OpenStack-API-Version": "compute 2.47"}
    first, second = cloud.create_image(admin), cloud.create_image(admin, kernel_id="k-2")
    sid = cloud.boot(admin, first["id"], name="old-name")["id"]
    cloud.wait_for_server(admin, sid)
    resp = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=admin, json={
        "rebuild": {"imageRef": second["id"], "name": "new-name", "metadata": {"v": "2"},
                    "description": "rebuilt"}})
    assert resp.status_code == 202, resp.text
    body = resp.json()["server"]
    assert body["status"] == "REBUILD" and body["image"]["id"] == second["id"]
    assert body["name"] == "new-name" and body["adminPass"]
    server = cloud.wait_for_server(admin, sid, until=("ACTIVE", "ERROR"))
    assert server["status"] == "ACTIVE" and server["metadata"] == {"v": "2"}
    assert server["OS-EXT-SRV-ATTR:kernel_id"] == "k-2" and server["description"] == "rebuilt"
    actions = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions",
                                headers=admin).json()["instanceActions"]
    assert actions[0]["action"] == "rebuild"
    missing = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=admin,
                                 json={"rebuild": {"imageRef": "nope"}})
    assert missing.status_code == 400 and "could not be found" in missing.text

    diag = cloud.compute.get(f"/v2.1/servers/{sid}/diagnostics", headers=admin)
    assert diag.status_code == 200 and diag.json() == {"memory": 512 * 1024, "cpu_time": 0,
                                                   "cpu0_time": 0}
    member = cloud.make_user("member", project="admin")
    assert cloud.compute.get(f"/v2.1/servers/{sid}/diagnostics",
                             headers=member["headers"]).status_code == 403


def test_a_stopped_server_stays_stopped_through_a_rebuild(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    sid = cloud.boot(admin, image["id"])["id"]
    cloud.wait_for_server(admin, sid)
    assert _act(cloud, admin, sid, {"os-stop": None}) == 202
    cloud.wait_for_server(admin, sid, until=("SHUTOFF",))
    assert _act(cloud, admin, sid, {"rebuild": {"imageRef": image["id"]}}) == 202
    deadline = time.monotonic() + 15
    while (rebuilt := cloud.wait_for_server(admin, sid, until=("SHUTOFF", "ERROR")))[
            "OS-EXT-STS:task_state"] is not None and time.monotonic() < deadline:
        time.sleep(0.05)  # SHUTOFF all along: the task says when the rebuild is done
    assert (rebuilt["status"], rebuilt["OS-EXT-STS:task_state"],
            rebuilt["OS-EXT-STS:power_state"]) == ("SHUTOFF", None, 4)


def _backup(cloud: Cloud, headers: dict[str, str], sid: str, name: str,
            rotation: object, backup_type: str = "daily") -> object:
    return cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=headers, json={
        "createBackup": {"name": name, "backup_type": backup_type, "rotation": rotation}})


def _backups(cloud: Cloud, headers: dict[str, str], sid: str) -> list[tuple[str, str]]:
    """(name, backup_type) of the server's active backups, newest first."""
    images = cloud.image.get(f"/v2/images?instance_uuid={sid}&image_type=backup"
                             f"&sort_key=created_at&sort_dir=desc", headers=headers)
    return [(i["name"], i["backup_type"]) for i in images.json()["images"]
            if i["status"] == "active"]


def _settled(cloud: Cloud, headers: dict[str, str], sid: str) -> None:
    deadline = time.monotonic() + 15
    while cloud.wait_for_server(headers, sid)["OS-EXT-STS:task_state"] is not None:
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_create_backup_keeps_the_newest_of_each_type(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = {**member["headers"], "OpenStack-API-Version": "compute 2.45"}
    sid = cloud.boot(h, cloud.create_image(cloud.headers(), visibility="public")["id"])["id"]
    cloud.wait_for_server(h, sid)
    for name in ("b1", "b2", "b3"):
        resp = _backup(cloud, h, sid, name, 2)
        assert resp.status_code == 202, resp.text
        assert set(resp.json()) == {"image_id"}
        _settled(cloud, h, sid)
    assert _backups(cloud, h, sid) == [("b3", "daily"), ("b2", "daily")]
    assert _backup(cloud, h, sid, "w1", "1", "weekly").status_code == 202
    _settled(cloud, h, sid)
    assert sorted(_backups(cloud, h, sid)) == [("b2", "daily"), ("b3", "daily"),
                                               ("w1", "weekly")]
    old = _backup(cloud, member["headers"], sid, "w0", 0, "weekly")
    assert old.status_code == 202 and old.content == b"" and "Location" not in old.headers
    _settled(cloud, h, sid)
    assert _backups(cloud, h, sid) == [("b3", "daily"), ("b2", "daily")]
    actions = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions", headers=h)
    assert actions.json()["instanceActions"][0]["action"] == "createBackup"
    for bad in ({"name": "x", "backup_type": "daily"}, {"name": "x", "rotation": 1},
                {"name": "x", "backup_type": "daily", "rotation": -1},
                {"name": "", "backup_type": "daily", "rotation": 1}):
        refused = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=h,
                                     json={"createBackup": bad})
        assert refused.status_code == 400, bad
    reader = cloud.make_user("reader", project=member["project_name"])
    assert _backup(cloud, reader["headers"], sid, "r", 1).status_code == 403


def _console(cloud: Cloud, headers: dict[str, str], sid: str) -> str:
    return str(cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=headers,
                                  json={"os-getConsoleOutput": {}}).json()["output"])


def test_change_password_keeps_it_for_the_guest_and_shows_it_nowhere(cloud: Cloud) -> None:
    import sqlalchemy as sa

    from conductor.compute.models import Instance
    from conductor.db import api as db
    member = cloud.make_user("member")
    h = member["headers"]
    sid = cloud.boot(h, cloud.create_image(cloud.headers(), visibility="public")["id"],
                     name="pw")["id"]
    cloud.wait_for_server(h, sid)
    url = f"/v2.1/servers/{sid}/action"
    for bad in ({"changePassword": {}}, {"changePassword": {"adminPass": 1}},
                {"changePassword": {"adminPass": "x", "user": "root"}}):
        assert cloud.compute.post(url, headers=h, json=bad).status_code == 400, bad
    resp = cloud.compute.post(url, headers=h, json={"changePassword": {"adminPass": "S3cret!"}})
    assert resp.status_code == 202 and resp.content == b""
    assert cloud.wait_for_server(h, sid, until=("ACTIVE",))["status"] == "ACTIVE"
    deadline = time.monotonic() + 5
    while "administrator password set" not in _console(cloud, h, sid):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with db.reader() as s:
        assert s.scalar(sa.select(Instance.admin_pass).where(Instance.uuid == sid)) == "S3cret!"
    shown = cloud.compute.get(f"/v2.1/servers/{sid}", headers=h)
    assert "S3cret!" not in shown.text
    actions = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions", headers=h).json()
    assert actions["instanceActions"][0]["action"] == "changePassword"
    assert cloud.compute.post(url, headers=h, json={"os-stop": None}).status_code == 202
    cloud.wait_for_server(h, sid, until=("SHUTOFF",))
    stopped = cloud.compute.post(url, headers=h, json={"changePassword": {"adminPass": "x"}})
    assert stopped.status_code == 409
    assert stopped.json()["conflictingRequest"]["message"] == (
        f"Cannot 'changePassword' instance {sid} while it is in vm_state stopped")


def test_trigger_crash_dump_from_2_17(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.boot(admin, cloud.create_image(admin)["id"], name="nmi")["id"]
    cloud.wait_for_server(admin, sid)
    url = f"/v2.1/servers/{sid}/action"
    v217 = {**admin, "OpenStack-API-Version": "compute 2.17"}
    old = cloud.compute.post(url, headers=admin, json={"trigger_crash_dump": None})
    assert old.status_code == 400
    assert old.json()["badRequest"]["message"].endswith(
        "There is no such action: trigger_crash_dump")
    assert cloud.compute.post(url, headers=v217,
                              json={"trigger_crash_dump": {}}).status_code == 400
    assert cloud.compute.post(url, headers=v217,
                              json={"trigger_crash_dump": None}).status_code == 202
    deadline = time.monotonic() + 5
    while "NMI received" not in _console(cloud, admin, sid):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    shown = cloud.wait_for_server(admin, sid)
    assert (shown["status"], shown["OS-EXT-STS:task_state"]) == ("ACTIVE", None)
    assert cloud.compute.post(url, headers=admin, json={"os-stop": None}).status_code == 202
    cloud.wait_for_server(admin, sid, until=("SHUTOFF",))
    assert cloud.compute.post(url, headers=v217,
                              json={"trigger_crash_dump": None}).status_code == 409
