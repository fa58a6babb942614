"""Image API (Glance v2 subset): records, data, visibility, errors."""
from __future__ import annotations

import hashlib
import os
import struct

from stratus.config import CONF
from tests.functional.conftest import Cloud

PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
OCTETS = {"Content-Type": "application/octet-stream"}


def test_create_upload_download_delete(cloud: Cloud) -> None:
    admin = cloud.headers()
    resp = cloud.image.post("/v2/images", headers=admin, json={
        "name": "cirros", "disk_format": "raw", "container_format": "bare",
        "hw_disk_bus": "virtio", "tags": ["test"]})
    assert resp.status_code == 201
    image = resp.json()
    assert (image["status"], image["visibility"], image["size"]) == ("queued", "shared", None)
    assert image["hw_disk_bus"] == "virtio" and image["tags"] == ["test"]
    assert image["owner"] == cloud.admin_project_id
    assert image["self"] == f"/v2/images/{image['id']}"

    data = os.urandom(200_000)
    put = cloud.image.put(f"/v2/images/{image['id']}/file", content=data,
                          headers={**admin, **OCTETS})
    assert put.status_code == 204
    shown = cloud.image.get(f"/v2/images/{image['id']}", headers=admin).json()
    assert shown["status"] == "active" and shown["size"] == len(data)
    assert shown["checksum"] == hashlib.md5(data).hexdigest()
    assert shown["os_hash_algo"] == "sha512"
    assert shown["os_hash_value"] == hashlib.sha512(data).hexdigest()
    assert shown["virtual_size"] == len(data)

    got = cloud.image.get(f"/v2/images/{image['id']}/file", headers=admin)
    assert got.status_code == 200 and got.content == data
    assert got.headers["Content-MD5"] == shown["checksum"]
    again = cloud.image.put(f"/v2/images/{image['id']}/file", content=b"x",
                            headers={**admin, **OCTETS})
    assert again.status_code == 409

    assert cloud.image.delete(f"/v2/images/{image['id']}", headers=admin).status_code == 204
    assert cloud.image.get(f"/v2/images/{image['id']}", headers=admin).status_code == 404
    assert not os.listdir(CONF.image.store_dir)


def test_qcow2_virtual_size_comes_from_its_header(cloud: Cloud) -> None:
    admin = cloud.headers()
    header = b"QFI\xfb" + struct.pack(">I", 3) + b"\0" * 16 + struct.pack(">Q", 5 * 1024 ** 3)
    image = cloud.create_image(admin, data=header + b"\0" * 512, disk_format="qcow2")
    assert image["virtual_size"] == 5 * 1024 ** 3 and image["size"] == len(header) + 512


def test_list_filters_sort_and_pages(cloud: Cloud) -> None:
    admin = cloud.headers()
    for name, fmt in (("a", "raw"), ("b", "qcow2"), ("c", "raw")):
        cloud.image.post("/v2/images", headers=admin, json={
            "name": name, "disk_format": fmt, "container_format": "bare", "kind": name * 2})
    names = [i["name"] for i in cloud.image.get("/v2/images?sort=name:asc",
                                                 headers=admin).json()["images"]]
    assert names == ["a", "b", "c"]
    raw = cloud.image.get("/v2/images?disk_format=raw&sort_key=name&sort_dir=desc",
                          headers=admin).json()["images"]
    assert [i["name"] for i in raw] == ["c", "a"]
    page = cloud.image.get("/v2/images?limit=2&sort=name:asc", headers=admin).json()
    assert [i["name"] for i in page["images"]] == ["a", "b"]
    rest = cloud.image.get(page["next"], headers=admin).json()
    assert [i["name"] for i in rest["images"]] == ["c"] and "next" not in rest
    assert cloud.image.get("/v2/images?name=b", headers=admin).json()["images"][0][
        "disk_format"] == "qcow2"
    # Any other parameter filters on a property, as in Glance.
    by_property = cloud.image.get("/v2/images?kind=bb", headers=admin).json()["images"]
    assert [i["name"] for i in by_property] == ["b"]
    assert cloud.image.get("/v2/images?kind=b&name=b", headers=admin).json()["images"] == []
    assert cloud.image.get("/v2/images?marker=nope", headers=admin).status_code == 400
    assert cloud.image.get("/v2/images?sort_key=bogus", headers=admin).status_code == 400


def test_an_image_has_no_import_tasks(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    resp = cloud.image.get(f"/v2/images/{image['id']}/tasks", headers=admin)
    assert resp.status_code == 200 and resp.json() == {"tasks": []}
    other = cloud.make_user("member")["headers"]
    assert cloud.image.get(f"/v2/images/{image['id']}/tasks", headers=other).status_code == 404


def test_patch_properties_and_tags(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.image.post("/v2/images", headers=admin, json={
        "name": "p", "disk_format": "raw", "container_format": "bare", "os_distro": "x"}).json()
    url = f"/v2/images/{image['id']}"
    resp = cloud.image.patch(url, headers={**admin, **PATCH}, json=[
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/kernel_id", "value": "k-1"},
        {"op": "remove", "path": "/os_distro"},
        {"op": "replace", "path": "/tags", "value": ["a", "b"]},
        {"op": "replace", "path": "/min_disk", "value": 2}])
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["name"] == "renamed" and body["kernel_id"] == "k-1"
    assert "os_distro" not in body and body["tags"] == ["a", "b"] and body["min_disk"] == 2
    read_only = cloud.image.patch(url, headers={**admin, **PATCH},
                                  json=[{"op": "replace", "path": "/status", "value": "active"}])
    assert read_only.status_code == 403
    wrong_type = cloud.image.patch(url, headers={**admin, "Content-Type": "application/json"},
                                   json=[{"op": "replace", "path": "/name", "value": "x"}])
    assert wrong_type.status_code == 415
    bad_value = cloud.image.patch(url, headers={**admin, **PATCH},
                                  json=[{"op": "replace", "path": "/min_ram", "value": -1}])
    assert bad_value.status_code == 400


def test_bad_create_requests(cloud: Cloud) -> None:
    admin = cloud.headers()
    assert cloud.image.post("/v2/images", headers=admin, json={
        "name": "x", "disk_format": "floppy"}).status_code == 400
    assert cloud.image.post("/v2/images", headers=admin, json={
        "name": "x", "status": "active"}).status_code == 403
    assert cloud.image.post("/v2/images", headers=admin, json=["x"]).status_code == 400
    no_format = cloud.image.post("/v2/images", headers=admin, json={"name": "nf"}).json()
    put = cloud.image.put(f"/v2/images/{no_format['id']}/file", content=b"abc",
                          headers={**admin, **OCTETS})
    assert put.status_code == 400 and "disk_format" in put.text


def test_visibility_and_roles(cloud: Cloud) -> None:
    admin = cloud.headers()
    alice = cloud.make_user("member")
    bob = cloud.make_user("member")
    reader = cloud.make_user("reader", project=alice["project_name"])
    private = cloud.image.post("/v2/images", headers=alice["headers"], json={
        "name": "mine", "visibility": "private"}).json()
    assert cloud.image.get(f"/v2/images/{private['id']}",
                           headers=bob["headers"]).status_code == 404
    assert cloud.image.get(f"/v2/images/{private['id']}",
                           headers=reader["headers"]).status_code == 200
    assert cloud.image.delete(f"/v2/images/{private['id']}",
                              headers=bob["headers"]).status_code == 404
    assert cloud.image.post("/v2/images", headers=reader["headers"],
                            json={"name": "r"}).status_code == 403
    assert cloud.image.post("/v2/images", headers=alice["headers"],
                            json={"name": "pub", "visibility": "public"}).status_code == 403
    public = cloud.image.post("/v2/images", headers=admin,
                              json={"name": "pub", "visibility": "public"}).json()
    assert cloud.image.get(f"/v2/images/{public['id']}",
                           headers=bob["headers"]).status_code == 200
    assert cloud.image.delete(f"/v2/images/{public['id']}",
                              headers=bob["headers"]).status_code == 403
    community = cloud.image.post("/v2/images", headers=alice["headers"], json={
        "name": "comm", "visibility": "community"}).json()
    listed = [i["id"] for i in cloud.image.get("/v2/images", headers=bob["headers"]).json()[
        "images"]]
    assert public["id"] in listed and community["id"] not in listed
    listed = [i["id"] for i in cloud.image.get("/v2/images?visibility=community",
                                               headers=bob["headers"]).json()["images"]]
    assert listed == [community["id"]]


def test_protected_images_cannot_be_deleted(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.image.post("/v2/images", headers=admin,
                             json={"name": "keep", "protected": True}).json()
    assert cloud.image.delete(f"/v2/images/{image['id']}", headers=admin).status_code == 403
    cloud.image.patch(f"/v2/images/{image['id']}", headers={**admin, **PATCH},
                      json=[{"op": "replace", "path": "/protected", "value": False}])
    assert cloud.image.delete(f"/v2/images/{image['id']}", headers=admin).status_code == 204


def test_oversize_upload_is_413_and_image_stays_queued(cloud: Cloud) -> None:
    admin = cloud.headers()
    CONF.set_override("image_size_cap", 1000, group="image")
    try:
        image = cloud.image.post("/v2/images", headers=admin, json={
            "name": "big", "disk_format": "raw", "container_format": "bare"}).json()
        resp = cloud.image.put(f"/v2/images/{image['id']}/file", content=b"\0" * 5000,
                               headers={**admin, **OCTETS})
        assert resp.status_code == 413
        shown = cloud.image.get(f"/v2/images/{image['id']}", headers=admin).json()
        assert shown["status"] == "queued" and shown["size"] is None
        assert os.listdir(CONF.image.store_dir) == []
        ok = cloud.image.put(f"/v2/images/{image['id']}/file", content=b"\0" * 10,
                             headers={**admin, **OCTETS})
        assert ok.status_code == 204
    finally:
        CONF.clear_override("image_size_cap", group="image")


def test_versions_and_schemas(cloud: Cloud) -> None:
    assert cloud.image.get("/").status_code == 300
    versions = cloud.image.get("/versions").json()["versions"]
    assert versions[0]["status"] == "CURRENT"
    admin = cloud.headers()
    assert "name" in cloud.image.get("/v2/schemas/image", headers=admin).json()["properties"]
    assert cloud.image.get("/v2/images", headers={"X-Auth-Token": "bad"}).status_code == 401
