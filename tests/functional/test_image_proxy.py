"""Nova's image proxy (/images, deprecated at 2.36; /images/{id}/metadata at 2.39): what a
client sees, in Nova's wire formats, over images the image API holds."""
from __future__ import annotations

import os
import time
from typing import Any

import pytest

from image_api import service as image_service
from image_api import store
from stratus.config import CONF
from tests.functional.conftest import Cloud

V = "OpenStack-API-Version"
IMAGE_KEYS = {"id", "name", "minRam", "minDisk", "metadata", "created", "updated", "status",
              "progress", "OS-EXT-IMG-SIZE:size", "links"}


def at(headers: dict[str, str], version: str) -> dict[str, str]:
    return {**headers, V: f"compute {version}"}


def wait_for_image(cloud: Cloud, headers: dict[str, str], image_id: str,
                   status: str = "ACTIVE", timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        resp = cloud.compute.get(f"/v2.1/images/{image_id}", headers=headers)
        assert resp.status_code == 200, resp.text
        image = resp.json()["image"]
        if image["status"] == status:
            return image
        assert time.monotonic() < deadline, f"image stuck in {image['status']}"
        time.sleep(0.02)


def snapshot(cloud: Cloud, headers: dict[str, str], server_id: str, name: str) -> str:
    resp = cloud.compute.post(f"/v2.1/servers/{server_id}/action", headers=headers,
                              json={"createImage": {"name": name}})
    assert resp.status_code == 202, resp.text
    image_id = resp.headers["Location"].rsplit("/", 1)[-1]
    wait_for_image(cloud, headers, image_id)
    cloud.wait_for_server(headers, server_id)
    return image_id


def test_show_list_and_detail_in_nova_format(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, data=b"\1" * 3000, min_ram=64, min_disk=1,
                               auto_disk_config="True", os_distro="cirros")
    resp = cloud.compute.get(f"/v2.1/images/{image['id']}", headers=admin)
    assert resp.status_code == 200
    shown = resp.json()["image"]
    assert set(shown) == IMAGE_KEYS | {"OS-DCF:diskConfig"}
    assert (shown["id"], shown["name"], shown["status"], shown["progress"]) == (
        image["id"], image["name"], "ACTIVE", 100)
    assert (shown["minRam"], shown["minDisk"], shown["OS-EXT-IMG-SIZE:size"]) == (64, 1, 3000)
    assert shown["metadata"] == {"auto_disk_config": "True", "os_distro": "cirros"}
    assert shown["OS-DCF:diskConfig"] == "AUTO"
    assert shown["created"].endswith("Z") and shown["updated"].endswith("Z")
    base = CONF.compute_api.public_endpoint.rstrip("/")
    assert shown["links"] == [
        {"rel": "self", "href": f"{base}/v2.1/images/{image['id']}"},
        {"rel": "bookmark", "href": f"{base}/images/{image['id']}"},
        {"rel": "alternate", "type": "application/vnd.openstack.image",
         "href": f"{CONF.image.public_endpoint.rstrip('/')}/images/{image['id']}"}]

    listed = cloud.compute.get("/v2.1/images", headers=admin).json()
    assert listed == {"images": [{"id": image["id"], "name": image["name"],
                                  "links": shown["links"]}]}
    detail = cloud.compute.get("/v2.1/images/detail", headers=admin).json()
    assert detail == {"images": [shown]}

    # A record without data yet is SAVING at 25%, size 0; "False" is a manual disk config.
    queued = cloud.image.post("/v2/images", headers=admin, json={
        "name": "empty", "auto_disk_config": "False"}).json()
    body = cloud.compute.get(f"/v2.1/images/{queued['id']}", headers=admin).json()["image"]
    assert (body["status"], body["progress"], body["OS-EXT-IMG-SIZE:size"],
            body["OS-DCF:diskConfig"], body["minRam"]) == ("SAVING", 25, 0, "MANUAL", 0)
    plain = cloud.compute.get(f"/v2.1/images/{image['id']}", headers=admin).json()["image"]
    assert "server" not in plain

    missing = cloud.compute.get("/v2.1/images/" + "0" * 36, headers=admin)
    assert missing.status_code == 404
    assert missing.json() == {"itemNotFound": {"code": 404, "message": "Image not found."}}


def test_filters_and_pages(cloud: Cloud) -> None:
    admin = cloud.headers()
    first = cloud.create_image(admin, min_ram=128, hw_x="a")
    time.sleep(1.1)  # changes-since compares whole seconds
    second = cloud.create_image(admin, min_disk=2, hw_x="b")
    third = cloud.create_image(admin, hw_x="b")
    queued = cloud.image.post("/v2/images", headers=admin, json={"name": "q"}).json()
    hidden = cloud.create_image(admin, os_hidden=True)

    def ids(query: str, path: str = "/v2.1/images") -> list[str]:
        resp = cloud.compute.get(f"{path}?{query}", headers=admin)
        assert resp.status_code == 200, resp.text
        return [i["id"] for i in resp.json()["images"]]
    newest_first = [queued["id"], third["id"], second["id"], first["id"]]
    assert ids("") == newest_first and hidden["id"] not in ids("")
    assert ids("status=ACTIVE") == newest_first[1:]
    assert ids("status=SAVING") == [] and ids("status=queued") == [queued["id"]]
    assert ids(f"name={first['name']}") == [first["id"]]
    assert ids("minRam=128") == [first["id"]] and ids("minDisk=2") == [second["id"]]
    assert ids("property-hw_x=b", "/v2.1/images/detail") == [third["id"], second["id"]]
    assert ids(f"changes-since={second['created_at']}") == newest_first[:3]
    assert ids("changes-since=2000-01-01T00:00:00%2B02:00") == newest_first
    assert ids("type=snapshot") == []

    page = cloud.compute.get("/v2.1/images/detail?limit=2", headers=admin).json()
    assert [i["id"] for i in page["images"]] == newest_first[:2]
    [link] = page["images_links"]
    assert link["rel"] == "next" and "/v2.1/images/detail?" in link["href"]
    assert f"marker={third['id']}" in link["href"] and "limit=2" in link["href"]
    assert ids(f"limit=2&marker={third['id']}") == newest_first[2:]
    assert "images_links" not in cloud.compute.get("/v2.1/images", headers=admin).json()

    for query in ("limit=0", "limit=-1", "limit=x", "page_size=0", "marker=nope",
                  "changes-since=yesterday", "minRam=lots"):
        resp = cloud.compute.get(f"/v2.1/images?{query}", headers=admin)
        assert resp.status_code == 400, query
        assert set(resp.json()) == {"badRequest"}


def test_snapshots_show_their_server_and_filter_by_it(cloud: Cloud) -> None:
    h = cloud.headers()
    base = cloud.create_image(h)
    one, two = (cloud.boot(h, base["id"]) for _ in range(2))
    for server in (one, two):
        cloud.wait_for_server(h, server["id"])
    snap_one = snapshot(cloud, h, one["id"], "snap-one")
    snap_two = snapshot(cloud, h, two["id"], "snap-two")

    image = cloud.compute.get(f"/v2.1/images/{snap_one}", headers=h).json()["image"]
    assert image["server"] == {"id": one["id"], "links": [
        {"rel": "self", "href": f"{CONF.compute_api.public_endpoint}/v2.1/servers/{one['id']}"},
        {"rel": "bookmark", "href": f"{CONF.compute_api.public_endpoint}/servers/{one['id']}"}]}
    assert image["metadata"]["image_type"] == "snapshot"
    assert image["metadata"]["instance_uuid"] == one["id"]

    def ids(query: str) -> list[str]:
        return [i["id"] for i in cloud.compute.get(f"/v2.1/images?{query}",
                                                   headers=h).json()["images"]]
    assert ids(f"server={one['id']}") == [snap_one]
    for link in two["links"]:
        assert ids(f"server={link['href']}") == [snap_two]
    assert ids("type=snapshot") == [snap_two, snap_one]
    assert ids(f"property-base_image_ref={base['id']}") == [snap_two, snap_one]


def test_deprecated_from_2_36_and_metadata_from_2_39(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    gone = {"itemNotFound": {"code": 404, "message": "The resource could not be found."}}
    for version, path in (("2.35", "/v2.1/images"), ("2.35", "/v2.1/images/detail"),
                          ("2.35", f"/v2.1/images/{image['id']}"),
                          ("2.38", f"/v2.1/images/{image['id']}/metadata")):
        assert cloud.compute.get(path, headers=at(admin, version)).status_code == 200
    for version, method, path in (
            ("2.36", "GET", "/v2.1/images"), ("2.36", "GET", "/v2.1/images/detail"),
            ("2.36", "GET", f"/v2.1/images/{image['id']}"),
            ("2.36", "DELETE", f"/v2.1/images/{image['id']}"),
            ("latest", "GET", f"/v2.1/images/{image['id']}"),
            ("2.39", "GET", f"/v2.1/images/{image['id']}/metadata"),
            ("2.39", "GET", f"/v2.1/images/{image['id']}/metadata/k"),
            ("2.39", "DELETE", f"/v2.1/images/{image['id']}/metadata/k")):
        resp = cloud.compute.request(method, path, headers=at(admin, version))
        assert (resp.status_code, resp.json()) == (404, gone), (version, method, path)
    # Before the body is read: a bad body is not a 400 where the route is gone.
    for method in ("POST", "PUT"):
        resp = cloud.compute.request(method, f"/v2.1/images/{image['id']}/metadata",
                                     headers=at(admin, "2.39"), json={"bad": 1})
        assert resp.status_code == 404
    resp = cloud.compute.put(f"/v2.1/images/{image['id']}/metadata/k",
                             headers=at(admin, "2.39"), json={"meta": {"a": "1", "b": "2"}})
    assert resp.status_code == 404
    assert cloud.image.get(f"/v2/images/{image['id']}", headers=admin).status_code == 200


def test_metadata_calls(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, os_distro="cirros")
    url = f"/v2.1/images/{image['id']}/metadata"

    def metadata() -> dict[str, str]:
        resp = cloud.compute.get(url, headers=admin)
        assert resp.status_code == 200
        return dict(resp.json()["metadata"])
    assert metadata() == {"os_distro": "cirros"}
    put = cloud.compute.put(url, headers=admin, json={"metadata": {"a": "1", "b": "2"}})
    assert (put.status_code, put.json()) == (200, {"metadata": {"a": "1", "b": "2"}})
    assert metadata() == {"a": "1", "b": "2"}
    post = cloud.compute.post(url, headers=admin, json={"metadata": {"b": "3", "c": "4"}})
    assert (post.status_code, post.json()) == (200, {"metadata": {"a": "1", "b": "3",
                                                                  "c": "4"}})
    item = cloud.compute.put(f"{url}/a", headers=admin, json={"meta": {"a": "x"}})
    assert (item.status_code, item.json()) == (200, {"meta": {"a": "x"}})
    shown = cloud.compute.get(f"{url}/a", headers=admin)
    assert (shown.status_code, shown.json()) == (200, {"meta": {"a": "x"}})
    deleted = cloud.compute.delete(f"{url}/a", headers=admin)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert metadata() == {"b": "3", "c": "4"}
    # The image API sees the same properties.
    record = cloud.image.get(f"/v2/images/{image['id']}", headers=admin).json()
    assert (record["b"], record["c"]) == ("3", "4") and "a" not in record
    assert "os_distro" not in record

    for path, body in ((f"{url}/a", {"meta": {"b": "1"}}),
                       (f"{url}/a", {"meta": {"a": "1", "b": "2"}}),
                       (f"{url}/a", {"meta": {}}), (url, {"metadata": {"k": 1}}),
                       (url, {"metadata": {"": "v"}}), (url, {"meta": {"a": "1"}}),
                       (url, {"metadata": {"k": "v" * 256}})):
        resp = cloud.compute.put(path, headers=admin, json=body)
        assert resp.status_code == 400, (path, body)
        assert set(resp.json()) == {"badRequest"}
    mismatch = cloud.compute.put(f"{url}/a", headers=admin, json={"meta": {"b": "1"}})
    assert mismatch.json()["badRequest"]["message"] == "Request body and URI mismatch"
    assert cloud.compute.get(f"{url}/a", headers=admin).status_code == 404
    nokey = cloud.compute.delete(f"{url}/a", headers=admin)
    assert (nokey.status_code, nokey.json()["itemNotFound"]["message"]) == (
        404, "Invalid metadata key")

    unknown = "/v2.1/images/" + "0" * 36 + "/metadata"
    for method, path, body in (("GET", unknown, None), ("GET", unknown + "/k", None),
                               ("POST", unknown, {"metadata": {"k": "v"}}),
                               ("PUT", unknown, {"metadata": {"k": "v"}}),
                               ("PUT", unknown + "/k", {"meta": {"k": "v"}}),
                               ("DELETE", unknown + "/k", None)):
        resp = cloud.compute.request(method, path, headers=admin, json=body)
        assert resp.status_code == 404, (method, path)


def test_metadata_keeps_the_image_service_rules_and_the_quota(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, keep="1")
    url = f"/v2.1/images/{image['id']}/metadata"
    for key in ("status", "name", "visibility", "owner", "protected", "size"):
        resp = cloud.compute.post(url, headers=admin, json={"metadata": {key: "x"}})
        assert resp.status_code == 403, key
        assert set(resp.json()) == {"forbidden"}
    shown = cloud.image.get(f"/v2/images/{image['id']}", headers=admin).json()
    assert (shown["name"], shown["visibility"], shown["status"]) == (
        image["name"], image["visibility"], "active")

    quota = cloud.compute.put(f"/v2.1/os-quota-sets/{cloud.admin_project_id}",
                              headers=admin, json={"quota_set": {"metadata_items": 2}})
    assert quota.status_code == 200, quota.text
    assert cloud.compute.post(url, headers=admin, json={"metadata": {"b": "2"}}
                              ).status_code == 200
    over = cloud.compute.post(url, headers=admin, json={"metadata": {"c": "3"}})
    assert over.status_code == 403
    assert over.json() == {"forbidden": {"code": 403,
                                         "message": "Image metadata limit exceeded"}}
    assert cloud.compute.put(url, headers=admin, json={"metadata": {
        "x": "1", "y": "2", "z": "3"}}).status_code == 403
    assert cloud.compute.put(f"{url}/c", headers=admin,
                             json={"meta": {"c": "3"}}).status_code == 403
    # Replacing within the quota, and deleting, are allowed.
    assert cloud.compute.put(url, headers=admin, json={"metadata": {"x": "1", "y": "2"}}
                             ).status_code == 200
    assert cloud.compute.delete(f"{url}/x", headers=admin).status_code == 204
    assert cloud.compute.get(url, headers=admin).json() == {"metadata": {"y": "2"}}


@pytest.mark.parametrize("cloud", [{"config": {"image": {"image_property_quota": 2}}}],
                         indirect=True)
def test_metadata_within_the_image_property_quota(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    url = f"/v2.1/images/{image['id']}/metadata"
    assert cloud.compute.put(url, headers=admin, json={"metadata": {"a": "1", "b": "2"}}
                             ).status_code == 200
    over = cloud.compute.post(url, headers=admin, json={"metadata": {"c": "3"}})
    assert over.status_code == 403
    assert "number of allowed image properties" in over.json()["forbidden"]["message"]
    assert cloud.compute.put(f"{url}/a", headers=admin, json={"meta": {"a": "9"}}
                             ).status_code == 200


def test_visibility_and_ownership(cloud: Cloud) -> None:
    admin = cloud.headers()
    member = cloud.make_user("member")
    other = member["headers"]
    private = cloud.create_image(admin, visibility="private")
    public = cloud.create_image(admin, visibility="public", k="v")
    mine = cloud.create_image(other)

    listed = [i["id"] for i in cloud.compute.get("/v2.1/images", headers=other).json()[
        "images"]]
    assert sorted(listed) == sorted([public["id"], mine["id"]])
    for method, suffix, body in (("GET", "", None), ("DELETE", "", None),
                                 ("GET", "/metadata", None),
                                 ("POST", "/metadata", {"metadata": {"a": "b"}})):
        resp = cloud.compute.request(method, f"/v2.1/images/{private['id']}{suffix}",
                                     headers=other, json=body)
        assert resp.status_code == 404, (method, suffix)

    # A public image: seen by everyone, changed and deleted by its owner only.
    url = f"/v2.1/images/{public['id']}"
    assert cloud.compute.get(url, headers=other).status_code == 200
    assert cloud.compute.get(f"{url}/metadata/k", headers=other).json() == {
        "meta": {"k": "v"}}
    for method, suffix, body in (("POST", "/metadata", {"metadata": {"a": "b"}}),
                                 ("PUT", "/metadata", {"metadata": {}}),
                                 ("PUT", "/metadata/k", {"meta": {"k": "w"}}),
                                 ("DELETE", "/metadata/k", None)):
        resp = cloud.compute.request(method, url + suffix, headers=other, json=body)
        assert resp.status_code == 403, (method, suffix)
        assert resp.json()["forbidden"]["message"] == f"Not authorized for image {public['id']}."
    refused = cloud.compute.delete(url, headers=other)
    assert refused.status_code == 403
    assert refused.json()["forbidden"]["message"] == "You are not allowed to delete the image."
    assert cloud.compute.get(f"{url}/metadata", headers=admin).json() == {
        "metadata": {"k": "v"}}

    # The owner changes its own image; an admin changes any.
    own = f"/v2.1/images/{mine['id']}/metadata"
    assert cloud.compute.post(own, headers=other, json={"metadata": {"a": "1"}}
                              ).status_code == 200
    assert cloud.compute.post(own, headers=admin, json={"metadata": {"b": "2"}}
                              ).json() == {"metadata": {"a": "1", "b": "2"}}

    protected = cloud.create_image(admin, protected=True)
    resp = cloud.compute.delete(f"/v2.1/images/{protected['id']}", headers=admin)
    assert resp.status_code == 403
    assert cloud.compute.get(f"/v2.1/images/{protected['id']}", headers=admin
                             ).status_code == 200


def test_delete_hides_the_image_and_the_scrubber_removes_its_data(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, data=b"\7" * 5000)
    data = store.path_of(image["id"])
    assert os.path.exists(data)
    for path in ("/v2.1/images/", "/v2.1/images/" + "0" * 36, "/v2.1/images/-1",
                 "/v2.1/images/" + "a" * 37):
        assert cloud.compute.delete(path, headers=admin, follow_redirects=False
                                    ).status_code == 404, path
    resp = cloud.compute.delete(f"/v2.1/images/{image['id']}", headers=admin)
    assert (resp.status_code, resp.content) == (204, b"")

    # Gone at once for every caller and both APIs; the id stays taken until the scrub.
    assert cloud.compute.get(f"/v2.1/images/{image['id']}", headers=admin).status_code == 404
    assert cloud.compute.delete(f"/v2.1/images/{image['id']}", headers=admin
                                ).status_code == 404
    assert cloud.compute.get("/v2.1/images", headers=admin).json() == {"images": []}
    assert cloud.image.get(f"/v2/images/{image['id']}", headers=admin).status_code == 404
    assert cloud.image.get("/v2/images", headers=admin).json()["images"] == []
    assert cloud.image.delete(f"/v2/images/{image['id']}", headers=admin).status_code == 404
    again = cloud.image.post("/v2/images", headers=admin, json={"id": image["id"]})
    assert again.status_code == 409
    assert os.path.exists(data)

    assert image_service.scrub() == 1
    assert not os.path.exists(data)
    assert image_service.scrub() == 0
    again = cloud.image.post("/v2/images", headers=admin, json={"id": image["id"]})
    assert again.status_code == 201


def test_delete_of_a_snapshot_being_saved(cloud: Cloud) -> None:
    """Deleting a SAVING snapshot: gone at once; the snapshot fails and the server is
    ACTIVE again, with no image left behind."""
    h = cloud.headers()
    base = cloud.create_image(h)
    server = cloud.boot(h, base["id"])
    cloud.wait_for_server(h, server["id"])
    resp = cloud.compute.post(f"/v2.1/servers/{server['id']}/action", headers=h,
                              json={"createImage": {"name": "doomed"}})
    image_id = resp.headers["Location"].rsplit("/", 1)[-1]
    deleted = cloud.compute.delete(f"/v2.1/images/{image_id}", headers=h)
    assert deleted.status_code in (204, 404)
    assert cloud.compute.get(f"/v2.1/images/{image_id}", headers=h).status_code == 404
    deadline = time.monotonic() + 15
    while cloud.wait_for_server(h, server["id"])["OS-EXT-STS:task_state"] is not None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    image_service.scrub()
    assert not os.path.exists(store.path_of(image_id))
    assert [i["id"] for i in cloud.compute.get("/v2.1/images", headers=h).json()[
        "images"]] == [base["id"]]
