"""What one request may cost and what it may learn: bounded regex filters and counts, no
existence oracles, no spoofed image attributes."""
from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from tests.functional.conftest import Cloud

V = {"OpenStack-API-Version": "compute 2.64"}


def _h(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, **V}


def _server_names(cloud: Cloud, headers: dict[str, str]) -> list[str]:
    resp = cloud.compute.get("/v2.1/servers?all_tenants=1", headers=_h(headers))
    assert resp.status_code == 200, resp.text
    return sorted(s["name"] for s in resp.json()["servers"])


# --- the name filter -----------------------------------------------------------------

def test_a_backtracking_name_filter_answers_at_once_and_stalls_nobody(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    cloud.boot(admin, image["id"], name="x-" + "a" * 30 + "!")
    other: dict[str, float] = {}

    def unrelated_read() -> None:
        time.sleep(0.05)
        started = time.monotonic()
        assert cloud.identity.get("/v3/projects", headers=admin).status_code == 200
        other["seconds"] = time.monotonic() - started

    reader = threading.Thread(target=unrelated_read)
    reader.start()
    started = time.monotonic()
    resp = cloud.compute.get("/v2.1/servers", params={"name": "^x-(a+)+$"},
                             headers=_h(admin))
    took = time.monotonic() - started
    reader.join()
    assert resp.status_code == 200
    assert resp.json()["servers"] == []
    # With Python's backtracking `re` this took minutes (doubling per character).
    assert took < 0.5, took
    assert other["seconds"] < 0.5, other
    resp = cloud.compute.get("/v2.1/servers", params={"name": "^x-a+!$"}, headers=_h(admin))
    assert [s["name"] for s in resp.json()["servers"]] == ["x-" + "a" * 30 + "!"]


@pytest.mark.parametrize("pattern, why", [
    (r"(a)\1", "no backreferences or lookarounds"),
    ("a" * 256, "at most 255 characters"),
])
def test_a_name_filter_the_cloud_cannot_match_is_refused(cloud: Cloud, pattern: str,
                                                         why: str) -> None:
    resp = cloud.compute.get("/v2.1/servers", params={"name": pattern},
                             headers=_h(cloud.headers()))
    assert resp.status_code == 400
    assert why in resp.json()["badRequest"]["message"]


# --- counts ------------------------------------------------------------------------------

def test_a_huge_max_count_is_refused_by_quota_at_once(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    image = cloud.create_image(cloud.headers(), visibility="public")
    started = time.monotonic()
    resp = cloud.compute.post("/v2.1/servers", headers=_h(member["headers"]), json={
        "server": {"name": "many", "imageRef": image["id"], "flavorRef": "1",
                   "networks": "none", "min_count": 100, "max_count": 2000100}})
    assert time.monotonic() - started < 0.5
    assert resp.status_code == 403
    assert resp.json()["forbidden"]["message"].startswith(
        "Quota exceeded for instances: requested 100, but already used 0 of 10")
    assert _server_names(cloud, cloud.headers()) == []


def test_max_count_is_cut_to_what_the_quota_admits(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    image = cloud.create_image(cloud.headers(), visibility="public")
    resp = cloud.compute.post("/v2.1/servers", headers=_h(member["headers"]), json={
        "server": {"name": "many", "imageRef": image["id"], "flavorRef": "1",
                   "networks": "none", "max_count": 2_000_000_000,
                   "return_reservation_id": True}})
    assert resp.status_code == 202, resp.text
    assert len(_server_names(cloud, cloud.headers())) == 10


@pytest.mark.parametrize("field, value", [
    ("max_count", 2 ** 63), ("max_count", "9" * 5000), ("min_count", 2 ** 31),
    ("min_count", str(2 ** 64)),
])
def test_counts_past_the_largest_integer_are_refused(cloud: Cloud, field: str,
                                                     value: Any) -> None:
    image = cloud.create_image(cloud.headers())
    started = time.monotonic()
    resp = cloud.compute.post("/v2.1/servers", headers=_h(cloud.headers()), json={
        "server": {"name": "n", "imageRef": image["id"], "flavorRef": "1",
                   "networks": "none", field: value}})
    assert time.monotonic() - started < 0.5
    assert resp.status_code == 400, resp.text
    assert field in resp.json()["badRequest"]["message"]
    assert _server_names(cloud, cloud.headers()) == []


@pytest.mark.parametrize("cloud", [{"config": {"compute_api": {
    "max_servers_per_request": 5}}}], indirect=True)
def test_min_count_above_the_per_request_cap_is_refused(cloud: Cloud) -> None:
    image = cloud.create_image(cloud.headers())
    resp = cloud.compute.post("/v2.1/servers", headers=_h(cloud.headers()), json={
        "server": {"name": "n", "imageRef": image["id"], "flavorRef": "1",
                   "networks": "none", "min_count": 6}})
    assert resp.status_code == 400
    assert resp.json()["badRequest"]["message"] == (
        "min_count 6 is more than the 5 servers one request may create.")
    assert _server_names(cloud, cloud.headers()) == []


# --- existence oracles ---------------------------------------------------------------

def test_another_projects_server_is_no_marker(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, visibility="public")
    theirs = cloud.boot(admin, image["id"], name="theirs")
    member = cloud.make_user("member")
    answers = []
    for marker in (theirs["id"], str(uuid.uuid4())):
        resp = cloud.compute.get(f"/v2.1/servers?marker={marker}",
                                 headers=_h(member["headers"]))
        answers.append((resp.status_code,
                        resp.json()["badRequest"]["message"].replace(marker, "M")))
    assert answers == [(400, "Invalid input: marker [M] not found")] * 2


def test_quota_detail_of_another_user_is_for_admins(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    other = cloud.make_user("member")
    resp = cloud.compute.get(
        f"/v2.1/os-quota-sets/{member['project_id']}/detail?user_id={other['user_id']}",
        headers=_h(member["headers"]))
    assert resp.status_code == 403
    assert "another user" in resp.json()["forbidden"]["message"]
    resp = cloud.compute.get(f"/v2.1/os-quota-sets/{member['project_id']}/detail",
                             headers=_h(member["headers"]))
    assert resp.status_code == 200
    resp = cloud.compute.get(
        f"/v2.1/os-quota-sets/{member['project_id']}/detail?user_id={other['user_id']}",
        headers=_h(cloud.headers()))
    assert resp.status_code == 200


# --- snapshot metadata -----------------------------------------------------------------

@pytest.mark.parametrize("key", ["checksum", "os_hash_value", "self", "file", "created_at",
                                 "visibility", "status", "owner"])
def test_snapshot_metadata_cannot_set_image_attributes(cloud: Cloud, key: str) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    server = cloud.wait_for_server(admin, cloud.boot(admin, image["id"])["id"])
    assert server["status"] == "ACTIVE"
    resp = cloud.compute.post(f"/v2.1/servers/{server['id']}/action", headers=_h(admin),
                              json={"createImage": {"name": "snap",
                                                    "metadata": {key: "spoofed"}}})
    assert resp.status_code == 400
    assert key in resp.json()["badRequest"]["message"]
    images = cloud.image.get("/v2/images", headers=admin).json()["images"]
    assert [i["id"] for i in images] == [image["id"]]
    server = cloud.compute.get(f"/v2.1/servers/{server['id']}", headers=_h(admin)).json()
    assert server["server"]["OS-EXT-STS:task_state"] is None
