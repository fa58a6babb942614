"""Hostile input gets a clear 4xx in the API's error format, never a 500 or a half-written
state: malformed block device mappings, lone surrogates, integers past 64 bits, bad
headers and microversions, image property abuse, oversized headers, stalled uploads."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from compute_api import microversion
from stratus.config import CONF
from tests.functional.conftest import Cloud

HUGE = 2**70  # past 64 bits: SQLite cannot even compare it
LONE = '"\\ud800"'  # the JSON escape of a lone surrogate, as it travels in a raw body
NOVA_NAMES = {400: "badRequest", 404: "itemNotFound", 413: "overLimit",
              415: "badMediaType", 431: "badRequest"}


def nova_error(resp: httpx.Response, code: int) -> str:
    """The message of a Nova-format error with status `code`."""
    assert resp.status_code == code, resp.text
    body = resp.json()
    assert list(body) == [NOVA_NAMES[code]], body
    assert body[NOVA_NAMES[code]]["code"] == code
    return str(body[NOVA_NAMES[code]]["message"])


def keystone_error(resp: httpx.Response, code: int) -> str:
    assert resp.status_code == code, resp.text
    error = resp.json()["error"]
    assert error["code"] == code and error["title"]
    return str(error["message"])


def raw_json(text: str) -> dict[str, Any]:
    """Keyword arguments sending `text` as a JSON body exactly as written."""
    return {"content": text.encode(), "headers": {"Content-Type": "application/json"}}


def v(version: str, headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "OpenStack-API-Version": f"compute {version}"}


def server_names(cloud: Cloud, headers: dict[str, str]) -> list[str]:
    return [s["name"] for s in cloud.compute.get("/v2.1/servers",
                                                 headers=headers).json()["servers"]]


def flavor_ids(cloud: Cloud, headers: dict[str, str]) -> list[str]:
    resp = cloud.compute.get("/v2.1/flavors?is_public=none", headers=headers)
    return [f["id"] for f in resp.json()["flavors"]]


def image_names(cloud: Cloud, headers: dict[str, str]) -> list[str]:
    return [i["name"] for i in cloud.image.get("/v2/images", headers=headers).json()["images"]]


# --- A: inputs that gave a 500 -------------------------------------------------------------

def test_block_device_mappings_must_be_mapping_objects(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)
    base = {"name": "bdm-vm", "imageRef": image["id"], "flavorRef": "1", "networks": "none"}
    bad_mappings: list[Any] = [
        ["x"], [1], [None],
        [{"source_type": "image", "destination_type": "local", "uuid": 5, "boot_index": 0}],
        [{"source_type": "image", "uuid": ["a"]}],
        [{"source_type": "tape", "uuid": image["id"]}],
        [{"source_type": "image", "uuid": image["id"], "boot_index": "first"}],
        [{"source_type": "image", "uuid": image["id"], "volume_size": HUGE}],
        [{"source_type": "image", "uuid": image["id"], "surprise": True}],
    ]
    for bdm in bad_mappings:
        resp = cloud.compute.post("/v2.1/servers", headers=v("2.47", admin),
                                  json={"server": {**base, "block_device_mapping_v2": bdm}})
        assert "block_device_mapping_v2" in nova_error(resp, 400)
    for bdm in (["x"], [{"volume_id": 7}]):
        resp = cloud.compute.post("/v2.1/servers", headers=v("2.47", admin),
                                  json={"server": {**base, "block_device_mapping": bdm}})
        assert "block_device_mapping" in nova_error(resp, 400)
    assert server_names(cloud, admin) == []
    # The mapping clients send for an image boot still boots.
    good = [{"source_type": "image", "destination_type": "local", "uuid": image["id"],
             "boot_index": 0, "delete_on_termination": True}]
    booted = cloud.boot(admin, image["id"], block_device_mapping_v2=good)
    assert cloud.wait_for_server(admin, booted["id"])["status"] == "ACTIVE"


def test_lone_surrogates_are_refused_before_any_handler(cloud: Cloud) -> None:
    admin = cloud.headers()
    login = ('{"auth": {"identity": {"methods": ["password"], "password": {"user": '
             '{"name": %s, "domain": {"id": "default"}, "password": %s}}}}}')
    for name, password in ((LONE, '"x"'), ('"admin"', LONE)):
        resp = cloud.identity.post("/v3/auth/tokens", **raw_json(login % (name, password)))
        assert "surrogate" in keystone_error(resp, 400)
    resp = cloud.identity.post("/v3/users", headers={**admin, **raw_json("")["headers"]},
                               content=('{"user": {"name": %s, "password": "pw"}}'
                                        % LONE).encode())
    assert "surrogate" in keystone_error(resp, 400)
    users = cloud.identity.get("/v3/users", headers=admin).json()["users"]
    assert all("\ud800" not in u["name"] for u in users)

    kwargs = raw_json('{"flavor": {"name": %s, "ram": 64, "vcpus": 1, "disk": 0}}' % LONE)
    kwargs["headers"].update(admin)
    assert "surrogate" in nova_error(cloud.compute.post("/v2.1/flavors", **kwargs), 400)
    kwargs = raw_json('{"name": %s, "disk_format": "raw", "container_format": "bare"}'
                      % LONE)
    kwargs["headers"].update(admin)
    assert "surrogate" in nova_error(cloud.image.post("/v2/images", **kwargs), 400)
    assert image_names(cloud, admin) == []
    # A surrogate pair is one real character, and welcome.
    kwargs = raw_json('{"name": "smile \\ud83d\\ude00", "disk_format": "raw", '
                      '"container_format": "bare"}')
    kwargs["headers"].update(admin)
    assert cloud.image.post("/v2/images", **kwargs).status_code == 201
    assert image_names(cloud, admin) == ["smile \U0001F600"]
    # Bytes that are not UTF-8 at all are refused the same way.
    resp = cloud.compute.post("/v2.1/flavors", content=b'{"flavor": {"name": "\xff"}}',
                              headers={**admin, "Content-Type": "application/json"})
    assert "UTF-8" in nova_error(resp, 400)


def test_error_bodies_always_encode() -> None:
    from stratus.api.errors import error_response
    resp = error_response("keystone", 400, "bad value '\ud800'")
    assert json.loads(resp.body)["error"]["message"] == "bad value '\ud800'"


def test_integers_past_64_bits_in_queries_are_bounded(cloud: Cloud) -> None:
    admin = cloud.headers()
    for param in ("minRam", "minDisk"):
        resp = cloud.compute.get(f"/v2.1/flavors?{param}={HUGE}", headers=admin)
        assert f"Invalid {param} filter" in nova_error(resp, 400)
    resp = cloud.compute.get("/v2.1/flavors/detail?minRam=" + "9" * 5000, headers=admin)
    assert "Invalid minRam filter" in nova_error(resp, 400)
    # Nova caps limit at its maximum and an offset past every row is an empty page.
    for query in (f"limit={HUGE}", f"offset={HUGE}", f"limit={HUGE}&offset={HUGE}"):
        resp = cloud.compute.get(f"/v2.1/os-server-groups?{query}", headers=admin)
        assert resp.status_code == 200 and resp.json() == {"server_groups": []}, resp.text
    assert "limit" in nova_error(cloud.compute.get("/v2.1/os-server-groups?limit=-1",
                                                   headers=admin), 400)
    for param in ("size_min", "size_max"):
        resp = cloud.image.get(f"/v2/images?{param}={HUGE}", headers=admin)
        assert param in nova_error(resp, 400)
    resp = cloud.image.get(f"/v2/images?min_ram={HUGE}", headers=admin)
    assert resp.status_code == 200, resp.text


def test_integers_past_the_database_int_in_bodies_and_paths(cloud: Cloud) -> None:
    admin = cloud.headers()
    before = flavor_ids(cloud, admin)
    base = {"name": "big", "ram": 64, "vcpus": 1, "disk": 0}
    for key in ("ram", "vcpus", "disk", "swap", "OS-FLV-EXT-DATA:ephemeral"):
        for value in (HUGE, str(HUGE), 2**31):
            resp = cloud.compute.post("/v2.1/flavors", headers=admin,
                                      json={"flavor": {**base, key: value}})
            assert "maximum of 2147483647" in nova_error(resp, 400), (key, value)
    assert flavor_ids(cloud, admin) == before
    limits = cloud.compute.get(f"/v2.1/os-quota-sets/{cloud.admin_project_id}",
                               headers=admin).json()["quota_set"]
    for value in (HUGE, str(HUGE), "9" * 5000):
        resp = cloud.compute.put(f"/v2.1/os-quota-sets/{cloud.admin_project_id}",
                                 headers=admin, json={"quota_set": {"instances": value}})
        assert "instances" in nova_error(resp, 400)
    resp = cloud.compute.put("/v2.1/os-quota-class-sets/default", headers=admin,
                             json={"quota_class_set": {"cores": str(HUGE)}})
    nova_error(resp, 400)
    assert cloud.compute.get(f"/v2.1/os-quota-sets/{cloud.admin_project_id}",
                             headers=admin).json()["quota_set"] == limits
    aggregate = f"/v2.1/os-aggregates/{HUGE}"
    for resp in (cloud.compute.get(aggregate, headers=admin),
                 cloud.compute.put(aggregate, headers=admin,
                                   json={"aggregate": {"name": "x"}}),
                 cloud.compute.delete(aggregate, headers=admin),
                 cloud.compute.post(aggregate + "/action", headers=admin,
                                    json={"add_host": {"host": "testhost"}})):
        assert "could not be found" in nova_error(resp, 404)
    resp = cloud.compute.delete(f"/v2.1/os-services/{HUGE}", headers=admin)
    assert "could not be found" in nova_error(resp, 404)


@pytest.mark.parametrize("rxtx", ["abc", "0", 0, -1, "1e5", 1e39, "NaN"])
def test_flavor_rxtx_factor_must_be_a_positive_float(cloud: Cloud, rxtx: Any) -> None:
    admin = cloud.headers()
    body = {"flavor": {"name": "rx", "ram": 64, "vcpus": 1, "disk": 0, "rxtx_factor": rxtx}}
    resp = cloud.compute.post("/v2.1/flavors", headers=admin, json=body)
    assert "rxtx_factor" in nova_error(resp, 400)
    resp = cloud.compute.post("/v2.1/flavors", headers=admin,
                              content=b'{"flavor": {"name": "rx", "ram": 64, "vcpus": 1, '
                                      b'"disk": 0, "rxtx_factor": NaN}}')
    assert "rxtx_factor" in nova_error(resp, 400)
    assert "rx" not in [f["name"] for f in cloud.compute.get(
        "/v2.1/flavors", headers=admin).json()["flavors"]]
    ok = cloud.compute.post("/v2.1/flavors", headers=admin, json={
        "flavor": {**body["flavor"], "rxtx_factor": "1.5"}})
    assert ok.status_code == 200 and ok.json()["flavor"]["rxtx_factor"] == 1.5


def test_junk_microversions_get_nova_400s(cloud: Cloud) -> None:
    admin = cloud.headers()
    cases: list[dict[str, str]] = [
        {"OpenStack-API-Version": "compute 2." + "9" * 5000},
        {"OpenStack-API-Version": "compute " + "9" * 5000 + ".1"},
        {"X-OpenStack-Nova-API-Version": "2." + "1" * 5000},
        {"X-OpenStack-Nova-API-Version": "two.one"},
    ]
    for extra in cases:
        for headers in ({}, admin):  # unauthenticated requests too
            resp = cloud.compute.get("/v2.1/servers", headers={**headers, **extra})
            assert "is of invalid format" in nova_error(resp, 400)
            assert len(resp.text) < 1000
    too_new = f"compute 2.{microversion.MAX_VERSION[1] + 1}"
    resp = cloud.compute.get("/v2.1/servers", headers={**admin,
                                                      "OpenStack-API-Version": too_new})
    assert resp.status_code == 406
    assert cloud.compute.get("/v2.1/servers", headers=admin).status_code == 200


def test_header_bytes_that_are_not_utf8_get_400s_from_the_real_server(cloud: Cloud) -> None:
    from compute_api.app import create_app as compute_app
    admin = cloud.headers()
    cases: list[dict[str, Any]] = [{"X-Anything": b"caf\xe9"},
                                   {"OpenStack-API-Version": b"compute 2.\xff"},
                                   {"X-OpenStack-Nova-API-Version": b"\xff"},
                                   {"X-Auth-Token": b"\xff\xfe"}]
    with serving("compute", compute_app()) as port, httpx.Client(
            base_url=f"http://127.0.0.1:{port}") as client:
        for extra in cases:
            for headers in ({}, admin):  # unauthenticated requests too
                nova_error(client.get("/v2.1/servers", headers={**headers, **extra}), 400)
                # The connection still serves the client's next request.
                assert client.get("/v2.1/servers", headers=admin).status_code == 200
    image = f"http://127.0.0.1:{int(CONF.image.public_endpoint.rsplit(':', 1)[1])}"
    resp = httpx.get(image + "/v2/images", headers={**admin, "X-Anything": b"\xff"})
    assert "UTF-8" in nova_error(resp, 400)


@pytest.mark.parametrize("scope", [{"project": "x"}, 5, ["a"], {"domain": "default"},
                                   {"project": {"name": "admin", "domain": "default"}},
                                   {"project": {"id": 5}},
                                   {"project": {"name": "admin"}, "domain": {"id": "x"}}])
def test_token_scope_must_have_its_shape(cloud: Cloud, scope: Any) -> None:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": "admin-secret"}}},
        "scope": scope}}
    resp = cloud.identity.post("/v3/auth/tokens", json=body)
    keystone_error(resp, 400)
    assert "X-Subject-Token" not in resp.headers


# --- B: bad input that was accepted -----------------------------------------------------

def test_quota_values_below_unlimited_are_refused(cloud: Cloud) -> None:
    admin = cloud.headers()
    path = f"/v2.1/os-quota-sets/{cloud.admin_project_id}"
    before = cloud.compute.get(path, headers=admin).json()["quota_set"]
    for value in ("-5", -5, "-2", "1.5", "ten"):
        resp = cloud.compute.put(path, headers=admin, json={"quota_set": {"instances": value}})
        assert "instances" in nova_error(resp, 400)
    assert cloud.compute.get(path, headers=admin).json()["quota_set"] == before
    resp = cloud.compute.put(path, headers=admin, json={"quota_set": {"instances": "-1"}})
    assert resp.status_code == 200 and resp.json()["quota_set"]["instances"] == -1


def test_server_group_rules_must_be_positive(cloud: Cloud) -> None:
    admin = v("2.64", cloud.headers())
    for value in ("0", 0, "-1", str(HUGE)):
        body = {"server_group": {"name": "g", "policy": "anti-affinity",
                                 "rules": {"max_server_per_host": value}}}
        resp = cloud.compute.post("/v2.1/os-server-groups", headers=admin, json=body)
        assert "max_server_per_host" in nova_error(resp, 400)
    assert cloud.compute.get("/v2.1/os-server-groups",
                             headers=admin).json()["server_groups"] == []
    body = {"server_group": {"name": "g", "policy": "anti-affinity",
                             "rules": {"max_server_per_host": "2"}}}
    made = cloud.compute.post("/v2.1/os-server-groups", headers=admin, json=body)
    assert made.status_code == 200 and made.json()["server_group"]["rules"] == {
        "max_server_per_host": 2}


def test_image_properties_are_bounded_on_create(cloud: Cloud) -> None:
    admin = cloud.headers()
    base = {"name": "img", "disk_format": "raw", "container_format": "bare"}
    many = {f"p{i}": "v" for i in range(1000)}
    resp = cloud.image.post("/v2/images", headers=admin, json={**base, **many})
    assert "Maximum: 128" in nova_error(resp, 413)
    for bad in ({"k" * 60_000: "v"}, {"key": "v" * 256}, {"name": "nul\x00name"},
                {"key": "nul\x00value"}, {"ke\x00y": "v"}, {"min_ram": 2**40},
                {"min_disk": 2**31}, {"min_ram": HUGE}, {"tags": ["a\x00"]}):
        resp = cloud.image.post("/v2/images", headers=admin, json={**base, **bad})
        nova_error(resp, 400)
    assert image_names(cloud, admin) == []
    limit = {f"p{i}": "v" * 255 for i in range(128)}
    made = cloud.image.post("/v2/images", headers=admin, json={**base, **limit,
                                                                 "k" * 255: "v"})
    assert "Maximum: 128" in nova_error(made, 413)
    made = cloud.image.post("/v2/images", headers=admin, json={**base, **limit})
    assert made.status_code == 201, made.text


@pytest.mark.parametrize("cloud", [{"config": {"image": {"image_property_quota": 3}}}],
                         indirect=True)
def test_image_properties_are_bounded_on_patch(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.image.post("/v2/images", headers=admin, json={
        "name": "img", "disk_format": "raw", "container_format": "bare",
        "a": "1", "b": "2", "c": "3"}).json()
    patch = {**admin, "Content-Type": "application/openstack-images-v2.1-json-patch"}
    url = f"/v2/images/{image['id']}"
    for ops, code in (([{"op": "add", "path": "/d", "value": "4"}], 413),
                      ([{"op": "add", "path": "/" + "k" * 60_000, "value": "v"}], 400),
                      ([{"op": "replace", "path": "/name", "value": "x\x00"}], 400),
                      ([{"op": "replace", "path": "/min_ram", "value": 2**40}], 400),
                      ([{"op": "replace", "path": "/a", "value": "v" * 256}], 400)):
        resp = cloud.image.patch(url, headers=patch, content=json.dumps(ops).encode())
        nova_error(resp, code)
    after = cloud.image.get(url, headers=admin).json()
    assert (after["name"], after["min_ram"], after["a"], "d" in after) == ("img", 0, "1",
                                                                        False)
    swap = [{"op": "remove", "path": "/a"}, {"op": "add", "path": "/d", "value": "4"}]
    resp = cloud.image.patch(url, headers=patch, content=json.dumps(swap).encode())
    assert resp.status_code == 200 and "d" in resp.json() and "a" not in resp.json()


def test_image_data_must_be_octet_stream(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.image.post("/v2/images", headers=admin, json={
        "name": "img", "disk_format": "raw", "container_format": "bare"}).json()
    for content_type in ("application/json", "text/plain"):
        resp = cloud.image.put(f"/v2/images/{image['id']}/file", content=b'{"a": 1}',
                               headers={**admin, "Content-Type": content_type})
        assert "application/octet-stream" in nova_error(resp, 415)
    after = cloud.image.get(f"/v2/images/{image['id']}", headers=admin).json()
    assert after["status"] == "queued" and after["size"] is None


def test_flavor_ids_that_are_path_segments_are_refused(cloud: Cloud) -> None:
    admin = cloud.headers()
    before = flavor_ids(cloud, admin)
    for ident in ("..", ".", " x", "a/b"):
        resp = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
            "name": "dots", "id": ident, "ram": 64, "vcpus": 1, "disk": 0}})
        assert "id" in nova_error(resp, 400)
    assert flavor_ids(cloud, admin) == before
    ok = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
        "name": "dots", "id": "a.b", "ram": 64, "vcpus": 1, "disk": 0}})
    assert ok.status_code == 200


def test_argumentless_actions_take_null_or_an_empty_object_only(cloud: Cloud) -> None:
    """null as Nova documents, {} as Tempest sends; nothing else."""
    admin = cloud.headers()
    image = cloud.create_image(admin)
    server = cloud.boot(admin, image["id"])
    assert cloud.wait_for_server(admin, server["id"])["status"] == "ACTIVE"
    url = f"/v2.1/servers/{server['id']}/action"
    for name in ("pause", "unpause", "suspend", "resume", "os-start", "os-stop"):
        for value in ({"now": True}, [], "yes", 0, {"": None}):
            resp = cloud.compute.post(url, headers=admin, json={name: value})
            assert name in nova_error(resp, 400)
    shown = cloud.compute.get(f"/v2.1/servers/{server['id']}", headers=admin).json()
    assert shown["server"]["status"] == "ACTIVE"
    assert cloud.compute.post(url, headers=admin, json={"pause": None}).status_code == 202


# --- C and D: against a real HTTP server -------------------------------------------------

@contextlib.contextmanager
def serving(name: str, app: Any) -> Iterator[int]:
    """`app` served by launcher.serve_apis (uvicorn, as stratus-all runs it)."""
    from stratus import launcher
    from tests.functional.embedded import free_port
    port, stop = free_port(), threading.Event()
    thread = threading.Thread(target=launcher.serve_apis, daemon=True,
                              args=([(name, app, "127.0.0.1", port)], stop))
    thread.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, f"the {name} API did not come up"
            time.sleep(0.02)
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=10)


def exchange(port: int, request: bytes, timeout: float = 10) -> tuple[int, dict[str, str],
                                                                      bytes]:
    """Send raw bytes; returns the status, headers and body of the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(request)
        data = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


def big_header_request(size: int) -> bytes:
    return (b"GET /versions HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * size
            + b"\r\n\r\n")


def test_oversized_headers_get_a_json_error_from_the_real_server(cloud: Cloud) -> None:
    from identity_api.app import create_app as identity_app
    image_port = int(CONF.image.public_endpoint.rsplit(":", 1)[1])
    status, headers, body = exchange(image_port, big_header_request(1024 * 1024))
    assert status == 431 and headers["content-type"] == "application/json"
    assert json.loads(body)["badRequest"]["code"] == 431
    with serving("identity", identity_app()) as port:
        status, headers, body = exchange(port, big_header_request(100_000))
        assert status == 431 and json.loads(body)["error"]["code"] == 431
        status, headers, body = exchange(port, b"NOT HTTP AT ALL\r\n\r\n")
        assert status == 400 and json.loads(body)["error"]["code"] == 400
        # Headers under the limit are served.
        ok = httpx.get(f"http://127.0.0.1:{port}/v3", headers={"X-Big": "a" * 30_000})
        assert ok.status_code == 200


def _idle_then_ask(port: int, idle: float) -> int | None:
    """Two requests on one connection, `idle` seconds apart: the second's status, or None
    when the server had closed the connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/v3")
    first = conn.getresponse()
    first.read()
    assert first.status == 200
    time.sleep(idle)
    try:
        conn.request("GET", "/v3")
        return conn.getresponse().status
    except (http.client.RemoteDisconnected, ConnectionError):
        return None
    finally:
        conn.close()


def test_a_client_polling_every_5_s_keeps_its_connection(cloud: Cloud) -> None:
    """`openstack ... --wait` polls every 5 s on one kept-alive connection: the server must
    not be closing it just as the next request goes out (connection reset by peer)."""
    from identity_api.app import create_app as identity_app
    with serving("identity", identity_app()) as port:
        assert _idle_then_ask(port, 6) == 200
    CONF.set_override("keep_alive_timeout", 1, group="wsgi")
    try:
        with serving("identity", identity_app()) as port:
            assert _idle_then_ask(port, 2) is None
    finally:
        CONF.clear_override("keep_alive_timeout", group="wsgi")


@pytest.mark.parametrize("cloud", [{"config": {"image": {"upload_read_timeout": 1.0}}}],
                         indirect=True)
def test_a_stalled_upload_times_out_and_leaves_the_image_queued(cloud: Cloud) -> None:
    from image_api import store
    admin = cloud.headers()
    image = cloud.image.post("/v2/images", headers=admin, json={
        "name": "stall", "disk_format": "raw", "container_format": "bare"}).json()
    port = int(CONF.image.public_endpoint.rsplit(":", 1)[1])
    request = (f"PUT /v2/images/{image['id']}/file HTTP/1.1\r\nHost: localhost\r\n"
               f"X-Auth-Token: {admin['X-Auth-Token']}\r\n"
               f"Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
               ).encode() + b"\0" * 1000
    started = time.monotonic()
    status, headers, body = exchange(port, request, timeout=15)
    assert time.monotonic() - started < 10
    assert status == 400 and headers["connection"] == "close"
    assert "no data came" in json.loads(body)["badRequest"]["message"]
    after = cloud.image.get(f"/v2/images/{image['id']}", headers=admin).json()
    assert after["status"] == "queued" and after["size"] is None
    path = store.path_of(image["id"])
    assert not os.path.exists(path) and not os.path.exists(path + ".partial")
    resp = cloud.image.put(f"/v2/images/{image['id']}/file", content=b"\0" * 100,
                           headers={**admin, "Content-Type": "application/octet-stream"})
    assert resp.status_code == 204
    assert cloud.image.get(f"/v2/images/{image['id']}",
                           headers=admin).json()["status"] == "active"


def test_json_bodies_are_bounded_and_image_data_is_not(cloud: Cloud) -> None:
    admin = cloud.headers()
    huge = b'{"name": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    resp = cloud.image.post("/v2/images", content=huge,
                            headers={**admin, "Content-Type": "application/json"})
    assert "larger than" in nova_error(resp, 413)
    assert image_names(cloud, admin) == []
    image = cloud.image.post("/v2/images", headers=admin, json={
        "name": "bin", "disk_format": "raw", "container_format": "bare"}).json()
    data = bytes(range(256)) * 8192  # 2 MiB that are not UTF-8, sent with no type
    resp = cloud.image.put(f"/v2/images/{image['id']}/file", content=data, headers=admin)
    assert resp.status_code == 204, resp.text
    small = cloud.image.post("/v2/images", headers=admin, json={
        "name": "bin2", "disk_format": "raw", "container_format": "bare"}).json()
    resp = cloud.image.put(f"/v2/images/{small['id']}/file", content=b"\xff\xfe\\ud800",
                           headers=admin)
    assert resp.status_code == 204, resp.text
    assert cloud.image.get(f"/v2/images/{image['id']}/file", headers=admin).content == data


def test_bodies_nested_too_deep_are_refused(cloud: Cloud) -> None:
    """Parsing or validating 5,000 nested lists overflowed the stack (a RecursionError:
    500). Strings that only look nested are fine."""
    admin = cloud.headers()
    image = cloud.image.post("/v2/images", headers=admin, json={
        "name": "deep", "disk_format": "raw", "container_format": "bare"}).json()
    deep = '[{"op": ' + "[" * 5000 + "]" * 5000 + "}]"
    resp = cloud.image.patch(f"/v2/images/{image['id']}", content=deep.encode(), headers={
        **admin, "Content-Type": "application/openstack-images-v2.1-json-patch"})
    assert "nests more than 64 levels" in nova_error(resp, 400)
    body = '{"server": {"name": "deep", "metadata": ' + "[" * 5000 + "]" * 5000 + "}}"
    resp = cloud.compute.post("/v2.1/servers", content=body.encode(), headers={
        **v("2.64", admin), "Content-Type": "application/json"})
    assert "nests more than 64 levels" in nova_error(resp, 400)
    assert server_names(cloud, admin) == []
    resp = cloud.image.patch(f"/v2/images/{image['id']}", json=[
        {"op": "add", "path": "/looks_deep", "value": "[" * 200}], headers={
        **admin, "Content-Type": "application/openstack-images-v2.1-json-patch"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["looks_deep"] == "[" * 200
