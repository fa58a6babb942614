"""POST /servers/{id}/action (fake driver here; real guests in test_libvirt_guests.py)."""
from __future__ import annotations

from conductor.rpcapi import ConductorAPI
from stratus.context import get_admin_context
from tests.conftest import Cloud


def test_console_output(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.boot(admin, cloud.create_image(admin)["id"], name="con")["id"]
    cloud.wait_for_server(admin, sid)
    url = f"/v2.1/servers/{sid}/action"
    resp = cloud.compute.post(url, headers=admin, json={"os-getConsoleOutput": {}})
    assert resp.status_code == 200
    assert resp.json() == {"output": "fake guest con started on testhost\n"}
    none = cloud.compute.post(url, headers=admin, json={"os-getConsoleOutput": {"length": 0}})
    assert none.json() == {"output": ""}
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
    assert ConductorAPI().instance_get(get_admin_context(), instance_uuid=sid)["host"] is None
