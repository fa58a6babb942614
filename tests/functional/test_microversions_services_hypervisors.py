"""2.53: os-services and os-hypervisors name their resources by uuid (2.33 paging too)."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.functional.conftest import Cloud
from tests.functional.microversions import at



SERVICE_KEYS = {"id", "binary", "host", "zone", "status", "state", "updated_at",
                "disabled_reason", "forced_down"}


def _services(cloud: Cloud, minor: int) -> dict[str, dict[str, Any]]:
    listed = cloud.compute.get("/v2.1/os-services", headers=at(cloud.headers(), minor))
    assert listed.status_code == 200
    return {s["binary"]: s for s in listed.json()["services"]}


def _is_uuid(value: Any) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except (TypeError, ValueError, AttributeError):
        return False


def test_service_ids_are_uuids_from_2_53(cloud: Cloud) -> None:
    for minor, uuids in ((52, False), (53, True)):
        ids = [s["id"] for s in _services(cloud, minor).values()]
        assert len(ids) == 4 and [_is_uuid(i) for i in ids] == [uuids] * 4, (minor, ids)
        assert all(isinstance(i, int) for i in ids) is not uuids


def test_update_a_service_by_uuid(cloud: Cloud) -> None:
    admin = at(cloud.headers(), 53)
    compute_id = _services(cloud, 53)["nova-compute"]["id"]
    url = f"/v2.1/os-services/{compute_id}"
    # body, then (status code, status, disabled_reason, forced_down) or the error's words
    table: list[tuple[dict[str, Any], int, Any]] = [
        ({"status": "disabled", "disabled_reason": "maint"}, 200, ("disabled", "maint", False)),
        ({"status": "disabled"}, 200, ("disabled", None, False)),
        ({"status": "enabled"}, 200, ("enabled", None, False)),
        ({"forced_down": True}, 200, ("enabled", None, True)),
        ({"forced_down": "false", "status": "disabled", "disabled_reason": "r"}, 200,
         ("disabled", "r", False)),
        ({"status": "enabled", "disabled_reason": "x"}, 400, "with status 'enabled'"),
        ({}, 400, "No updates were requested"),
        ({"disabled_reason": "only"}, 400, "No updates were requested"),
        ({"status": "off"}, 400, "Invalid input"),
        ({"host": "testhost", "binary": "stratus-compute"}, 400, "Additional properties"),
    ]
    for body, code, expected in table:
        resp = cloud.compute.put(url, headers=admin, json=body)
        assert resp.status_code == code, (body, resp.text)
        if code == 200:
            service = resp.json()["service"]
            assert set(service) == SERVICE_KEYS and service["id"] == compute_id
            assert (service["status"], service["disabled_reason"],
                    service["forced_down"]) == expected, body
        else:
            assert expected in resp.json()["badRequest"]["message"], body
    listed = _services(cloud, 53)["nova-compute"]
    assert (listed["status"], listed["disabled_reason"]) == ("disabled", "r")


def test_service_update_and_delete_errors_at_2_53(cloud: Cloud) -> None:
    admin = at(cloud.headers(), 53)
    services = _services(cloud, 53)
    missing = str(uuid.uuid4())
    table = [
        ("put", f"/v2.1/os-services/{services['nova-conductor']['id']}",
         {"status": "disabled"}, 400),
        ("put", f"/v2.1/os-services/{missing}", {"status": "enabled"}, 404),
        ("put", "/v2.1/os-services/not-a-uuid", {"status": "enabled"}, 400),
        # The action routes are gone: their names are not uuids (Nova answers 400 too).
        ("put", "/v2.1/os-services/disable", {"host": "testhost",
                                              "binary": "stratus-compute"}, 400),
        ("put", "/v2.1/os-services/enable", {"status": "enabled"}, 400),
        ("delete", "/v2.1/os-services/1", None, 400),
        ("delete", f"/v2.1/os-services/{missing}", None, 404),
    ]
    for method, url, body, code in table:
        resp = cloud.compute.request(method, url, headers=admin, json=body)
        assert resp.status_code == code, (method, url, resp.text)
        assert list(resp.json()) == [{400: "badRequest", 404: "itemNotFound"}[code]]
    member = cloud.make_user("member")
    denied = cloud.compute.put(f"/v2.1/os-services/{services['nova-compute']['id']}",
                               headers=at(member["headers"], 53), json={"status": "enabled"})
    assert denied.status_code == 403
    old = cloud.compute.delete(f"/v2.1/os-services/{services['nova-compute']['id']}",
                               headers=at(cloud.headers(), 52))
    assert old.status_code == 400


def test_delete_a_service_by_uuid(cloud: Cloud) -> None:
    admin = at(cloud.headers(), 53)
    scheduler = _services(cloud, 53)["nova-scheduler"]
    [s.stop() for s in cloud.services if s.binary == "stratus-scheduler"]
    resp = cloud.compute.delete(f"/v2.1/os-services/{scheduler['id']}", headers=admin)
    assert resp.status_code == 204 and resp.content == b""
    assert "nova-scheduler" not in _services(cloud, 53)


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_hypervisors_by_uuid_with_patterns_and_servers(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.boot(admin, cloud.create_image(admin)["id"])["id"]
    host = cloud.wait_for_server(admin, sid)["OS-EXT-SRV-ATTR:hypervisor_hostname"]
    old = cloud.compute.get("/v2.1/os-hypervisors/detail",
                            headers=at(admin, 52)).json()["hypervisors"]
    assert all(isinstance(h["id"], int) and isinstance(h["service"]["id"], int) for h in old)
    detail = cloud.compute.get("/v2.1/os-hypervisors/detail",
                               headers=at(admin, 53)).json()["hypervisors"]
    assert all(_is_uuid(h["id"]) and _is_uuid(h["service"]["id"]) for h in detail)
    assert all("servers" not in h for h in detail)
    by_name = {h["hypervisor_hostname"]: h for h in detail}
    node = by_name[host]
    services = {(s["host"], s["binary"]): s["id"] for s in cloud.compute.get(
        "/v2.1/os-services", headers=at(admin, 53)).json()["services"]}
    assert node["service"]["id"] == services[(host, "nova-compute")]

    def get(url: str, minor: int = 53) -> Any:
        return cloud.compute.get(url, headers=at(admin, minor))

    # query, then the hostnames listed (and the servers on each) or the error code
    table: list[tuple[str, Any]] = [
        ("?hypervisor_hostname_pattern=host-2", {"testhost-2": None}),
        ("?hypervisor_hostname_pattern=testhost",
         {"testhost": None, "testhost-2": None}),
        (f"?hypervisor_hostname_pattern={host}&with_servers=true",
         {h: [sid] if h == host else None for h in by_name if host in h}),
        ("?with_servers=1", {h: [sid] if h == host else None for h in by_name}),
        ("?with_servers=false", {h: None for h in by_name}),
        ("?hypervisor_hostname_pattern=nomatch", 404),
        ("?hypervisor_hostname_pattern=testhost&limit=1", 400),
        ("?with_servers=maybe", 400),
        ("?sort_key=id", 400),
        ("?marker=not-a-node", 400),
    ]
    for path in ("/v2.1/os-hypervisors", "/v2.1/os-hypervisors/detail"):
        for query, expected in table:
            resp = get(path + query)
            if isinstance(expected, int):
                assert resp.status_code == expected, (query, resp.text)
                continue
            assert resp.status_code == 200, (query, resp.text)
            listed = {h["hypervisor_hostname"]: ([s["uuid"] for s in h["servers"]]
                                                 if "servers" in h else None)
                      for h in resp.json()["hypervisors"]}
            assert listed == expected, query
            assert "hypervisors_links" not in resp.json()

    shown = get(f"/v2.1/os-hypervisors/{node['id']}?with_servers=true").json()["hypervisor"]
    assert shown["id"] == node["id"] and shown["servers"] == [
        {"name": shown["servers"][0]["name"], "uuid": sid}]
    assert "servers" not in get(f"/v2.1/os-hypervisors/{node['id']}").json()["hypervisor"]
    old_id = next(h["id"] for h in old if h["hypervisor_hostname"] == host)
    for url, minor, code in [
            (f"/v2.1/os-hypervisors/{old_id}", 53, 400),
            (f"/v2.1/os-hypervisors/{uuid.uuid4()}", 53, 404),
            (f"/v2.1/os-hypervisors/{node['id']}?foo=1", 53, 400),
            (f"/v2.1/os-hypervisors/{node['id']}", 52, 404),
            (f"/v2.1/os-hypervisors/{old_id}", 52, 200),
            ("/v2.1/os-hypervisors/testhost/search", 53, 404),
            ("/v2.1/os-hypervisors/testhost/servers", 53, 404),
            ("/v2.1/os-hypervisors/testhost/search", 52, 200),
            ("/v2.1/os-hypervisors/testhost/servers", 52, 200),
            (f"/v2.1/os-hypervisors/{node['id']}/uptime", 53, 200),
            (f"/v2.1/os-hypervisors/{old_id}/uptime", 52, 200),
            (f"/v2.1/os-hypervisors/{old_id}/uptime", 53, 400),
            (f"/v2.1/os-hypervisors/{node['id']}/uptime", 52, 404),
            (f"/v2.1/os-hypervisors/{uuid.uuid4()}/uptime", 53, 404)]:
        resp = get(url, minor)
        assert resp.status_code == code, (url, minor, resp.text)
        if code == 200 and url.endswith("/uptime"):
            shown = resp.json()["hypervisor"]
            assert shown["id"] == (node["id"] if minor >= 53 else old_id) and shown["uptime"]


@pytest.mark.parametrize("cloud", [{"fake_hosts": 3}], indirect=True)
def test_hypervisor_paging(cloud: Cloud) -> None:
    admin = cloud.headers()
    for minor, id_type in ((33, int), (53, str)):
        seen: list[str] = []
        url = "/v2.1/os-hypervisors?limit=2"
        while url:
            body = cloud.compute.get(url, headers=at(admin, minor)).json()
            assert all(isinstance(h["id"], id_type) for h in body["hypervisors"])
            seen += [h["hypervisor_hostname"] for h in body["hypervisors"]]
            links = body.get("hypervisors_links")
            url = "/" + links[0]["href"].split("/", 3)[3] if links else ""
            if links:
                assert links[0]["rel"] == "next"
                assert f"marker={body['hypervisors'][-1]['id']}" in links[0]["href"]
        assert seen == ["testhost", "testhost-2", "testhost-3"], minor
    unpaged = cloud.compute.get("/v2.1/os-hypervisors?limit=1", headers=at(admin, 32)).json()
    assert len(unpaged["hypervisors"]) == 3 and "hypervisors_links" not in unpaged
    detail = cloud.compute.get("/v2.1/os-hypervisors/detail?limit=1",
                               headers=at(admin, 53)).json()
    assert len(detail["hypervisors"]) == 1
    assert "/os-hypervisors/detail?" in detail["hypervisors_links"][0]["href"]
    bad = cloud.compute.get("/v2.1/os-hypervisors?limit=-1", headers=at(admin, 53))
    assert bad.status_code == 400
