"""2.48 diagnostics, 2.54, 2.57 and 2.63 rebuild, 2.58 and 2.62 instance actions."""
from __future__ import annotations

import base64
from typing import Any


from compute_api.server_view import host_id
from tests.functional.conftest import Cloud
from tests.functional.microversions import at



def _server(cloud: Cloud, headers: dict[str, str], **server: Any) -> str:
    image = cloud.create_image(cloud.headers(), visibility="public")
    sid = cloud.boot(headers, image["id"], **server)["id"]
    assert cloud.wait_for_server(headers, sid)["status"] == "ACTIVE"
    return sid


def _rebuild(cloud: Cloud, headers: dict[str, str], sid: str, minor: int,
             **request: Any) -> Any:
    image_id = cloud.compute.get(f"/v2.1/servers/{sid}",
                                 headers=headers).json()["server"]["image"]["id"]
    return cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=at(headers, minor),
                              json={"rebuild": {"imageRef": image_id, **request}})


def _key_pair(cloud: Cloud, headers: dict[str, str], name: str) -> dict[str, Any]:
    resp = cloud.compute.post("/v2.1/os-keypairs", headers=headers,
                              json={"keypair": {"name": name}})
    assert resp.status_code == 200, resp.text
    return resp.json()["keypair"]


def test_diagnostics_in_the_standard_format(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = _server(cloud, admin)
    url = f"/v2.1/servers/{sid}/diagnostics"
    old = cloud.compute.get(url, headers=at(admin, 47)).json()
    assert old == {"memory": 512 * 1024, "cpu_time": 0, "cpu0_time": 0}
    resp = cloud.compute.get(url, headers=at(admin, 48))
    assert resp.status_code == 200
    body = resp.json()
    assert isinstance(body.pop("uptime"), int)
    assert body == {
        "state": "running", "driver": "libvirt", "hypervisor": "fake", "hypervisor_os": None,
        "config_drive": False, "num_cpus": 1, "num_nics": 0, "num_disks": 0,
        "memory_details": {"maximum": 512, "used": 512},
        "cpu_details": [{"id": 0, "time": 0, "utilisation": None}],
        "nic_details": [], "disk_details": []}
    cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=admin, json={"os-stop": None})
    cloud.wait_for_server(admin, sid, until=("SHUTOFF",))
    assert cloud.compute.get(url, headers=at(admin, 48)).json()["state"] == "shutdown"
    member = cloud.make_user("member", project="admin")
    assert cloud.compute.get(url, headers=at(member["headers"], 48)).status_code == 403


def test_diagnostics_map_libvirt_counters() -> None:
    from compute_api.diagnostics import standard
    raw = {"memory": 1048576, "cpu_time": 9, "cpu0_time": 4, "cpu1_time": 5,
           "memory-rss": 1, "vda_read_req": 1, "vda_read": 512, "vda_write_req": 2,
           "vda_write": 1024, "vda_errors": -1}
    inst = {"power_state": 3, "launched_at": None, "config_drive": "True", "memory_mb": 2048}
    node = {"hypervisor_type": "QEMU", "supported_instances": [["x86_64", "kvm", "hvm"]]}
    out = standard(raw, inst, node)
    assert (out["state"], out["hypervisor"], out["hypervisor_os"], out["uptime"],
            out["config_drive"]) == ("paused", "kvm", "linux", None, True)
    assert out["memory_details"] == {"maximum": 2048, "used": 1024}
    assert [c["time"] for c in out["cpu_details"]] == [4, 5] and out["num_cpus"] == 2
    assert out["disk_details"] == [{"read_bytes": 512, "read_requests": 1, "write_bytes": 1024,
                                    "write_requests": 2, "errors_count": -1}]


def test_rebuild_sets_or_removes_the_key_pair(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    first, second = _key_pair(cloud, h, "first"), _key_pair(cloud, h, "second")
    sid = _server(cloud, h, key_name="first")
    # minor, the request's key_name (absent when ...), then status and the key name after
    absent = object()
    table: list[tuple[int, Any, int, str | None]] = [
        (54, "second", 202, "second"),
        (54, absent, 202, "second"),
        (54, None, 202, None),
        (54, "first", 202, "first"),
        (54, "nope", 400, "first"),
        (54, "", 400, "first"),
        (53, "second", 400, "first"),
    ]
    for minor, key_name, code, after in table:
        request = {} if key_name is absent else {"key_name": key_name}
        resp = _rebuild(cloud, h, sid, minor, **request)
        assert resp.status_code == code, (minor, key_name, resp.text)
        if code == 202:
            assert resp.json()["server"]["key_name"] == after
        server = cloud.wait_for_server(h, sid)
        assert server["status"] == "ACTIVE" and server["key_name"] == after, (minor, key_name)
    assert "Invalid key_name provided." in _rebuild(cloud, h, sid, 54, key_name="nope").text
    metadata = cloud.compute.get(f"/v2.1/servers/{sid}", headers=h).json()["server"]
    assert metadata["key_name"] == "first" and first["public_key"] != second["public_key"]


def test_rebuild_with_user_data(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = _server(cloud, admin, user_data=base64.b64encode(b"old").decode())
    new = base64.b64encode(b"#!/bin/sh\necho new\n").decode()
    # minor, request, then status and the user data after
    table: list[tuple[int, dict[str, Any], int, str | None]] = [
        (57, {"user_data": new}, 202, new),
        (57, {}, 202, new),
        (57, {"user_data": "not base64!"}, 400, new),
        (57, {"user_data": None}, 202, None),
        (56, {"user_data": new}, 400, None),
        (57, {"personality": [{"path": "/etc/motd", "contents": "aGk="}]}, 400, None),
        (56, {"personality": [{"path": "/etc/motd", "contents": "aGk="}]}, 400, None),
    ]
    for minor, request, code, after in table:
        resp = _rebuild(cloud, admin, sid, minor, **request)
        assert resp.status_code == code, (minor, request, resp.text)
        if code == 202:
            assert resp.json()["server"]["user_data"] == after
        server = cloud.wait_for_server(at(admin, 57), sid)
        assert server["OS-EXT-SRV-ATTR:user_data"] == after, (minor, request)
    old = _rebuild(cloud, admin, sid, 56)
    assert old.status_code == 202 and "user_data" not in old.json()["server"]


def test_rebuild_refuses_trusted_image_certificates(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = _server(cloud, admin)
    # minor, trusted_image_certificates, then the status code
    table: list[tuple[int, Any, int]] = [
        (63, None, 202),
        (63, ["cert-1"], 400),
        (63, [], 400),
        (63, ["a", "a"], 400),
        (62, None, 400),
    ]
    for minor, certs, code in table:
        resp = _rebuild(cloud, admin, sid, minor, trusted_image_certificates=certs)
        assert resp.status_code == code, (minor, certs, resp.text)
        if code == 202:
            assert resp.json()["server"]["trusted_image_certificates"] is None
        cloud.wait_for_server(admin, sid)
    refused = _rebuild(cloud, admin, sid, 63, trusted_image_certificates=["cert-1"])
    assert "not supported" in refused.json()["badRequest"]["message"]


def _actions(cloud: Cloud, headers: dict[str, str], sid: str, minor: int,
             query: str = "") -> Any:
    return cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions{query}",
                             headers=at(headers, minor))


def test_instance_action_paging_and_updated_at(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = _server(cloud, admin)
    for action in ({"os-stop": None}, {"os-start": None}):
        cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=admin, json=action)
        cloud.wait_for_server(admin, sid, until=("SHUTOFF", "ACTIVE"))
    cloud.wait_for_server(admin, sid)
    every = _actions(cloud, admin, sid, 58).json()
    assert [a["action"] for a in every["instanceActions"]] == ["start", "stop", "create"]
    assert "links" not in every and all(a["updated_at"] for a in every["instanceActions"])
    assert all("updated_at" not in a
               for a in _actions(cloud, admin, sid, 57).json()["instanceActions"])

    start, stop, create = (a["request_id"] for a in every["instanceActions"])
    # query, then the actions listed and whether a next link comes with them
    table: list[tuple[str, Any]] = [
        ("?limit=2", (["start", "stop"], True)),
        (f"?limit=2&marker={stop}", (["create"], False)),
        (f"?marker={start}", (["stop", "create"], False)),
        (f"?limit=1&marker={create}", ([], False)),
        ("?limit=0", ([], False)),
        ("?changes-since=2000-01-01T00:00:00Z", (["start", "stop", "create"], False)),
        ("?changes-since=2999-01-01T00:00:00", ([], False)),
        ("?marker=req-unknown", 400),
        ("?limit=x", 400),
        ("?changes-since=yesterday", 400),
        ("?changes-before=2999-01-01T00:00:00Z", 400),
    ]
    for query, expected in table:
        resp = _actions(cloud, admin, sid, 58, query)
        if isinstance(expected, int):
            assert resp.status_code == expected, (query, resp.text)
            assert "badRequest" in resp.json()
            continue
        names, linked = expected
        body = resp.json()
        assert [a["action"] for a in body["instanceActions"]] == names, query
        assert ("links" in body) is linked, query
    page = _actions(cloud, admin, sid, 58, "?limit=2").json()
    assert page["links"][0]["rel"] == "next"
    href = page["links"][0]["href"]
    assert f"/v2.1/servers/{sid}/os-instance-actions?" in href and f"marker={stop}" in href
    old = _actions(cloud, admin, sid, 57, "?limit=1&whatever=1").json()
    assert len(old["instanceActions"]) == 3 and "links" not in old
    shown = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions/{stop}",
                              headers=at(admin, 58)).json()["instanceAction"]
    assert shown["updated_at"] and shown["action"] == "stop"


def test_instance_action_events_show_host_and_host_id(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    sid = _server(cloud, h)
    create = _actions(cloud, h, sid, 62).json()["instanceActions"][-1]["request_id"]
    url = f"/v2.1/servers/{sid}/os-instance-actions/{create}"
    expected_id = host_id(member["project_id"], "testhost")
    # headers, minor, then the event keys beyond event/start_time/finish_time/result
    table = [
        (cloud.headers(), 62, {"traceback", "host", "hostId"}),
        (cloud.headers(), 61, {"traceback"}),
        (h, 62, {"hostId"}),
        (h, 61, set()),
    ]
    for headers, minor, extra in table:
        events = cloud.compute.get(url, headers=at(headers, minor)).json()[
            "instanceAction"]["events"]
        assert events, minor
        for event in events:
            assert set(event) == {"event", "start_time", "finish_time", "result"} | extra
            if "hostId" in extra:
                assert event["hostId"] == expected_id
            if "host" in extra:
                assert event["host"] == "testhost"
    server = cloud.compute.get(f"/v2.1/servers/{sid}", headers=h).json()["server"]
    assert server["hostId"] == expected_id


# The keys PUT /servers/{id} and rebuild return before 2.75 (Nova's and Tempest's
# update_server schema); rebuild adds key_name at 2.54 and user_data at 2.57.
UPDATE_KEYS = {"id", "name", "status", "image", "flavor", "user_id", "tenant_id", "created",
               "updated", "metadata", "links", "addresses", "hostId", "OS-DCF:diskConfig",
               "accessIPv4", "accessIPv6", "progress"}


def test_update_and_rebuild_return_the_short_server_view(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = _server(cloud, admin)
    # minor, then the keys beyond UPDATE_KEYS that PUT and rebuild return
    table = [(1, set(), set()),
             (9, {"locked"}, {"locked"}),
             (26, {"locked", "description", "tags"}, {"locked", "description", "tags"}),
             (57, {"locked", "description", "tags"},
              {"locked", "description", "tags", "key_name", "user_data"}),
             (63, {"locked", "description", "tags", "trusted_image_certificates"},
              {"locked", "description", "tags", "key_name", "user_data",
               "trusted_image_certificates"})]
    for minor, update_extra, rebuild_extra in table:
        put = cloud.compute.put(f"/v2.1/servers/{sid}", headers=at(admin, minor),
                                json={"server": {"name": f"renamed-{minor}"}})
        assert put.status_code == 200, put.text
        assert set(put.json()["server"]) == UPDATE_KEYS | update_extra, minor
        rebuilt = _rebuild(cloud, admin, sid, minor)
        assert rebuilt.status_code == 202, rebuilt.text
        assert set(rebuilt.json()["server"]) == UPDATE_KEYS | rebuild_extra | {"adminPass"}, \
            minor
        assert cloud.wait_for_server(admin, sid)["status"] == "ACTIVE"
    shown = cloud.compute.get(f"/v2.1/servers/{sid}", headers=at(admin, 63)).json()["server"]
    assert {"OS-EXT-STS:vm_state", "key_name", "config_drive"} <= set(shown)
