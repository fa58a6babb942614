"""Microversions 2.97 to 2.100: file shares (2.97, no share service here), the image's
properties in the server view (2.98) and the scheduler hints it was created with
(2.100)."""
from __future__ import annotations

import uuid
from typing import Any

from tests.functional.conftest import Cloud
from tests.functional.microversions import at


def test_shares_from_2_97_without_a_share_service(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    sid = cloud.active_server(h)
    url = f"/v2.1/servers/{sid}/shares"
    share = str(uuid.uuid4())
    assert cloud.compute.get(url, headers=at(h, 96)).status_code == 404
    listed = cloud.compute.get(url, headers=at(h, 97))
    assert listed.status_code == 200 and listed.json() == {"shares": []}
    assert cloud.compute.get(url, params={"x": "1"}, headers=at(h, 97)).status_code == 400
    body = {"share": {"share_id": share, "tag": "data"}}
    running = cloud.compute.post(url, headers=at(h, 97), json=body)
    assert running.status_code == 409  # a share is attached to a stopped server
    for bad in ({"share": {"share_id": "not-a-uuid"}}, {"share": {}},
                {"share": {"share_id": share, "tag": "no spaces"}}):
        assert cloud.compute.post(url, headers=at(h, 97), json=bad).status_code == 400
    cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=h, json={"os-stop": None})
    cloud.wait_for_server(h, sid, until=("SHUTOFF",))
    missing = cloud.compute.post(url, headers=at(h, 97), json=body)
    assert missing.status_code == 404
    assert "no shared file system service" in missing.json()["itemNotFound"]["message"]
    assert cloud.compute.get(f"{url}/{share}", headers=at(h, 97)).status_code == 404
    assert cloud.compute.delete(f"{url}/{share}", headers=at(h, 97)).status_code == 404
    reader = cloud.make_user("reader", project=member["project_name"])["headers"]
    assert cloud.compute.get(url, headers=at(reader, 97)).status_code == 200
    assert cloud.compute.post(url, headers=at(reader, 97), json=body).status_code == 403


def _server_with(cloud: Cloud, properties: dict[str, Any], hints: dict[str, Any]) -> str:
    admin = cloud.headers()
    image = cloud.create_image(admin, visibility="public")
    patched = cloud.image.patch(
        f"/v2/images/{image['id']}", headers={
            **admin, "Content-Type": "application/openstack-images-v2.1-json-patch"},
        json=[{"op": "add", "path": f"/{k}", "value": v} for k, v in properties.items()])
    assert patched.status_code == 200, patched.text
    resp = cloud.compute.post("/v2.1/servers", headers=at(admin, 100), json={
        "server": {"name": "vm", "imageRef": image["id"], "flavorRef": "1",
                   "networks": "none"}, "os:scheduler_hints": hints})
    assert resp.status_code == 202, resp.text
    sid = str(resp.json()["server"]["id"])
    cloud.wait_for_server(admin, sid)
    return sid


def test_image_properties_in_the_server_view_from_2_98(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = _server_with(cloud, {"hw_disk_bus": "virtio", "os_distro": "debian",
                               "my_own_property": "x"}, {})
    url = f"/v2.1/servers/{sid}"
    shown = cloud.compute.get(url, headers=at(admin, 98)).json()["server"]
    assert shown["image"]["properties"] == {"hw_disk_bus": "virtio", "os_distro": "debian"}
    assert "properties" not in cloud.compute.get(url, headers=at(admin, 97)).json()[
        "server"]["image"]
    listed = cloud.compute.get("/v2.1/servers/detail", headers=at(admin, 98)).json()
    assert listed["servers"][0]["image"]["properties"]["os_distro"] == "debian"
    # A rebuild onto another image shows that image's properties.
    other = cloud.create_image(admin, visibility="public")
    cloud.image.patch(f"/v2/images/{other['id']}", headers={
        **admin, "Content-Type": "application/openstack-images-v2.1-json-patch"},
        json=[{"op": "add", "path": "/os_distro", "value": "alpine"}])
    rebuilt = cloud.compute.post(f"{url}/action", headers=at(admin, 98),
                                 json={"rebuild": {"imageRef": other["id"]}})
    assert rebuilt.json()["server"]["image"]["properties"] == {"os_distro": "alpine"}


def test_scheduler_hints_in_the_server_view_from_2_100(cloud: Cloud) -> None:
    admin = cloud.headers()
    first = cloud.active_server(admin)
    sid = _server_with(cloud, {}, {"different_host": [first]})
    url = f"/v2.1/servers/{sid}"
    assert cloud.compute.get(url, headers=at(admin, 100)).json()["server"][
        "scheduler_hints"] == {"different_host": [first]}
    assert "scheduler_hints" not in cloud.compute.get(url, headers=at(admin, 99)).json()[
        "server"]
    detail = cloud.compute.get("/v2.1/servers/detail", headers=at(admin, 100)).json()
    assert {s["id"]: s["scheduler_hints"] for s in detail["servers"]} == {
        sid: {"different_host": [first]}, first: {}}
    updated = cloud.compute.put(url, headers=at(admin, 100), json={"server": {"name": "n"}})
    assert updated.json()["server"]["scheduler_hints"] == {"different_host": [first]}
