"""Resize and cold migration between fake hosts, confirm and revert, and the migrations
they leave in /os-migrations."""
from __future__ import annotations

import time
from typing import Any

import pytest

from tests.functional.conftest import Cloud
from tests.functional.microversions import at

TWO_HOSTS = [{"fake_hosts": 2}]
HOSTS = ("testhost", "testhost-2")
HOST = "OS-EXT-SRV-ATTR:host"


def _post(cloud: Cloud, headers: dict[str, str], sid: str, body: dict[str, Any]) -> Any:
    return cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=headers, json=body)


def _server(cloud: Cloud, headers: dict[str, str], flavor: str = "1") -> str:
    image = cloud.create_image(cloud.headers(), visibility="public")
    sid = cloud.boot(headers, image["id"], flavor=flavor)["id"]
    assert cloud.wait_for_server(headers, sid)["status"] == "ACTIVE"
    return sid


def _show(cloud: Cloud, sid: str) -> dict[str, Any]:
    resp = cloud.compute.get(f"/v2.1/servers/{sid}", headers=at(cloud.headers(), 47))
    assert resp.status_code == 200, resp.text
    return resp.json()["server"]


def _ram_used(cloud: Cloud) -> dict[str, int]:
    listed = cloud.compute.get("/v2.1/os-hypervisors/detail", headers=cloud.headers()).json()
    return {h["hypervisor_hostname"]: h["memory_mb_used"] for h in listed["hypervisors"]}


def _migrations(cloud: Cloud, minor: int = 23, **params: str) -> list[dict[str, Any]]:
    resp = cloud.compute.get("/v2.1/os-migrations", params=params,
                             headers=at(cloud.headers(), minor))
    assert resp.status_code == 200, resp.text
    return list(resp.json()["migrations"])


def _actions(cloud: Cloud, sid: str) -> list[str]:
    listed = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions",
                               headers=cloud.headers())
    return [a["action"] for a in listed.json()["instanceActions"]]


def _resized(cloud: Cloud, headers: dict[str, str], sid: str, flavor: str) -> dict[str, Any]:
    assert _post(cloud, headers, sid, {"resize": {"flavorRef": flavor}}).status_code == 202
    return cloud.wait_for_server(headers, sid, until=("VERIFY_RESIZE", "ERROR"))


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_resize_then_confirm_moves_the_server_and_frees_the_source(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    sid = _server(cloud, h)
    source = _show(cloud, sid)[HOST]
    before = _ram_used(cloud)
    server = _resized(cloud, h, sid, "2")
    assert server["status"] == "VERIFY_RESIZE"
    shown = _show(cloud, sid)
    assert shown[HOST] != source
    assert (shown["flavor"]["original_name"], shown["flavor"]["ram"]) == ("m1.small", 2048)
    # Until confirmed, the source keeps the old flavor's RAM and the destination has the
    # new one's.
    during = _ram_used(cloud)
    assert during[source] == before[source]
    assert during[shown[HOST]] == before[shown[HOST]] + 2048
    [migration] = _migrations(cloud, instance_uuid=sid)
    assert migration["status"] == "finished"
    assert (migration["migration_type"], migration["source_compute"],
            migration["dest_compute"]) == ("resize", source, shown[HOST])
    assert migration["old_instance_type_id"] != migration["new_instance_type_id"]

    confirmed = _post(cloud, h, sid, {"confirmResize": None})
    assert confirmed.status_code == 204, confirmed.text
    assert cloud.wait_for_server(h, sid, until=("ACTIVE",))["status"] == "ACTIVE"
    assert _ram_used(cloud)[source] == before[source] - 512
    assert _migrations(cloud, instance_uuid=sid)[0]["status"] == "confirmed"
    assert _actions(cloud, sid)[:2] == ["confirmResize", "resize"]
    # Confirming twice: the server is no longer resized.
    again = _post(cloud, h, sid, {"confirmResize": None})
    assert again.status_code == 409
    assert "vm_state active" in again.json()["conflictingRequest"]["message"]


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_revert_brings_the_server_back_with_its_old_flavor(cloud: Cloud) -> None:
    h = cloud.make_user("member")["headers"]
    sid = _server(cloud, h)
    source = _show(cloud, sid)[HOST]
    before = _ram_used(cloud)
    _resized(cloud, h, sid, "2")
    assert _post(cloud, h, sid, {"revertResize": {}}).status_code == 202
    server = cloud.wait_for_server(h, sid, until=("ACTIVE", "ERROR"))
    assert server["status"] == "ACTIVE"
    shown = _show(cloud, sid)
    assert (shown[HOST], shown["flavor"]["original_name"]) == (source, "m1.tiny")
    assert _ram_used(cloud) == before
    assert _migrations(cloud, instance_uuid=sid)[0]["status"] == "reverted"
    console = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=h,
                                 json={"os-getConsoleOutput": {}}).json()["output"]
    assert f"back on {source}" in console


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_a_stopped_server_stays_stopped_through_resize_and_confirm(cloud: Cloud) -> None:
    h = cloud.make_user("member")["headers"]
    sid = _server(cloud, h)
    assert _post(cloud, h, sid, {"os-stop": None}).status_code == 202
    cloud.wait_for_server(h, sid, until=("SHUTOFF",))
    assert _resized(cloud, h, sid, "2")["status"] == "VERIFY_RESIZE"
    assert _show(cloud, sid)["OS-EXT-STS:power_state"] == 4
    assert _post(cloud, h, sid, {"confirmResize": {}}).status_code == 204
    assert cloud.wait_for_server(h, sid, until=("SHUTOFF",))["status"] == "SHUTOFF"


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_cold_migration_changes_host_not_flavor(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h, admin = member["headers"], cloud.headers()
    sid = _server(cloud, h)
    source = _show(cloud, sid)[HOST]
    assert _post(cloud, h, sid, {"migrate": None}).status_code == 403
    assert _post(cloud, admin, sid, {"migrate": None}).status_code == 202
    cloud.wait_for_server(h, sid, until=("VERIFY_RESIZE",))
    shown = _show(cloud, sid)
    assert shown[HOST] != source and shown["flavor"]["original_name"] == "m1.tiny"
    assert _migrations(cloud, instance_uuid=sid)[0]["migration_type"] == "migration"
    assert _post(cloud, h, sid, {"confirmResize": None}).status_code == 204
    cloud.wait_for_server(h, sid, until=("ACTIVE",))
    # 2.56: an admin names the host; its own or an unknown one is refused.
    target = source
    for host, message in ((shown[HOST], "The target host can't be the same one."),
                          ("nosuchhost", "Compute host nosuchhost could not be found.")):
        refused = _post(cloud, at(admin, 56), sid, {"migrate": {"host": host}})
        assert refused.status_code == 400, refused.text
        assert refused.json()["badRequest"]["message"] == message
    assert _post(cloud, at(admin, 56), sid, {"migrate": {"host": target}}).status_code == 202
    cloud.wait_for_server(h, sid, until=("VERIFY_RESIZE",))
    assert _show(cloud, sid)[HOST] == target
    # Before 2.56 the body takes no host.
    assert _post(cloud, admin, sid, {"migrate": {"host": source}}).status_code == 400


def test_bad_resizes_change_nothing(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    sid = _server(cloud, h)
    cases = [({"flavorRef": "nosuch"}, 400, "Flavor nosuch could not be found."),
             ({"flavorRef": "1"}, 400, "When resizing, instances must change flavor!"),
             ({"flavorRef": None}, 400, None), ({}, 400, None)]
    for body, code, message in cases:
        refused = _post(cloud, h, sid, {"resize": body})
        assert refused.status_code == code, (body, refused.text)
        if message:
            assert refused.json()["badRequest"]["message"] == message
    # One host and no allow_resize_to_same_host: no host can take it.
    no_host = _post(cloud, h, sid, {"resize": {"flavorRef": "2"}})
    assert no_host.status_code == 400
    assert no_host.json()["badRequest"]["message"].startswith("No valid host was found.")
    shown = _show(cloud, sid)
    assert (shown["status"], shown["OS-EXT-STS:task_state"]) == ("ACTIVE", None)
    assert _migrations(cloud, instance_uuid=sid)[0]["status"] == "error"
    # Over quota on cores: 403, before any host is looked for.
    quota = cloud.compute.put(f"/v2.1/os-quota-sets/{member['project_id']}",
                              headers=cloud.headers(), json={"quota_set": {"cores": 1}})
    assert quota.status_code == 200
    over = _post(cloud, h, sid, {"resize": {"flavorRef": "3"}})
    assert over.status_code == 403
    assert "Quota exceeded for cores" in over.json()["forbidden"]["message"]
    # Wrong state: 409 with Nova's message; confirm and revert of an unresized server too.
    assert _post(cloud, h, sid, {"pause": None}).status_code == 202
    cloud.wait_for_server(h, sid, until=("PAUSED",))
    paused = _post(cloud, h, sid, {"resize": {"flavorRef": "2"}})
    assert paused.status_code == 409
    assert paused.json()["conflictingRequest"]["message"] == (
        f"Cannot 'resize' instance {sid} while it is in vm_state paused")
    for name in ("confirmResize", "revertResize"):
        assert _post(cloud, h, sid, {name: None}).status_code == 409
    assert _actions(cloud, sid)[0] == "pause"


@pytest.mark.parametrize("cloud", [{"config": {None: {
    "allow_resize_to_same_host": True}}}], indirect=True)
def test_one_host_resizes_in_place_when_allowed(cloud: Cloud) -> None:
    h = cloud.make_user("member")["headers"]
    sid = _server(cloud, h)
    assert _resized(cloud, h, sid, "2")["status"] == "VERIFY_RESIZE"
    assert _show(cloud, sid)[HOST] == "testhost"
    # Both flavors are held on the one node until the resize is confirmed.
    assert _ram_used(cloud)["testhost"] == 512 + 2048
    assert _post(cloud, h, sid, {"confirmResize": None}).status_code == 204
    cloud.wait_for_server(h, sid, until=("ACTIVE",))
    assert _ram_used(cloud)["testhost"] == 2048


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2, "config": {None: {
    "resize_confirm_window": 1}}}], indirect=True)
def test_an_unconfirmed_resize_confirms_itself_after_the_window(cloud: Cloud) -> None:
    h = cloud.make_user("member")["headers"]
    sid = _server(cloud, h)
    _resized(cloud, h, sid, "2")
    assert cloud.wait_for_server(h, sid, until=("ACTIVE",), timeout=10)["status"] == "ACTIVE"
    assert _migrations(cloud, instance_uuid=sid)[0]["status"] == "confirmed"
    assert _actions(cloud, sid)[0] == "confirmResize"


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_deleting_a_resized_server_frees_both_hosts(cloud: Cloud) -> None:
    h = cloud.make_user("member")["headers"]
    before = _ram_used(cloud)
    sid = _server(cloud, h)
    _resized(cloud, h, sid, "2")
    assert cloud.compute.delete(f"/v2.1/servers/{sid}", headers=h).status_code == 204
    cloud.wait_until_gone(h, sid)
    deadline = time.monotonic() + 5
    while _ram_used(cloud) != before:
        assert time.monotonic() < deadline, _ram_used(cloud)
        time.sleep(0.05)
    assert _migrations(cloud, instance_uuid=sid)[0]["status"] == "confirmed"
    drivers = [s.endpoints[0].driver for s in cloud.services if s.binary == "stratus-compute"]
    assert len(drivers) == 2
    assert all(sid not in d.list_instances() and sid not in d._moved_away for d in drivers)


@pytest.mark.parametrize("cloud", TWO_HOSTS, indirect=True)
def test_os_migrations_lists_pages_and_guards(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h, admin = member["headers"], cloud.headers()
    first, second = _server(cloud, h), _server(cloud, h)
    for sid in (first, second):
        _resized(cloud, h, sid, "2")
    listed = _migrations(cloud, 1)
    assert [m["instance_uuid"] for m in listed] == [second, first]
    assert "migration_type" not in listed[0] and "uuid" not in listed[0]
    assert sorted(listed[0]) == sorted([
        "created_at", "dest_compute", "dest_host", "dest_node", "id", "instance_uuid",
        "new_instance_type_id", "old_instance_type_id", "source_compute", "source_node",
        "status", "updated_at"])
    page = cloud.compute.get("/v2.1/os-migrations", params={"limit": 1},
                             headers=at(admin, 59)).json()
    assert [m["instance_uuid"] for m in page["migrations"]] == [second]
    assert "marker=" + page["migrations"][0]["uuid"] in page["migrations_links"][0]["href"]
    rest = _migrations(cloud, 59, marker=page["migrations"][0]["uuid"])
    assert [m["instance_uuid"] for m in rest] == [first]
    assert _migrations(cloud, 59, migration_type="migration") == []
    assert len(_migrations(cloud, 59, status="finished")) == 2
    for params in ({"bogus": "1"}, {"marker": "nosuch"}, {"changes-since": "yesterday"}):
        bad = cloud.compute.get("/v2.1/os-migrations", params=params, headers=at(admin, 59))
        assert bad.status_code == 400, params
    # Before 2.59 unknown parameters are ignored.
    assert len(_migrations(cloud, 23, bogus="1")) == 2
    assert cloud.compute.get("/v2.1/os-migrations", headers=h).status_code == 403
    # 2.80: user_id and project_id shown and filtered on; a project manager may list
    # the project's own migrations, not everyone's.
    own = _migrations(cloud, 80, project_id=member["project_id"])
    assert {(m["user_id"], m["project_id"]) for m in own} == {
        (member["user_id"], member["project_id"])}
    assert len(_migrations(cloud, 80, user_id=member["user_id"])) == 2
    assert _migrations(cloud, 80, project_id="someone-else") == []
    assert cloud.compute.get("/v2.1/os-migrations", params={"user_id": "x"},
                             headers=at(admin, 79)).status_code == 400
    manager = cloud.make_user("manager", project=member["project_name"])["headers"]
    mine = cloud.compute.get("/v2.1/os-migrations", params={
        "project_id": member["project_id"]}, headers=at(manager, 80))
    assert mine.status_code == 200 and len(mine.json()["migrations"]) == 2
    assert cloud.compute.get("/v2.1/os-migrations", headers=at(manager, 80)
                             ).status_code == 403
    server_list = cloud.compute.get(f"/v2.1/servers/{first}/migrations",
                                    headers=at(admin, 23))
    assert server_list.status_code == 200 and server_list.json() == {"migrations": []}
    assert cloud.compute.get(f"/v2.1/servers/{first}/migrations",
                             headers=admin).status_code == 404
