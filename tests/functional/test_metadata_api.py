"""The metadata service over HTTP (seed 5.3.4): every path of the OpenStack and EC2 trees
for the instance a request comes from, by its fixed IP or through a metadata proxy's
signed headers, and never another instance's data."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from metadata_api.app import create_app
from stratus import launcher
from stratus.config import CONF
from tests.functional.conftest import Cloud

SECRET = "proxy-secret"
SCRIPT = b"#!/bin/sh\necho hello from user data\n"
EC2_LATEST = ["ami-id", "ami-launch-index", "ami-manifest-path", "block-device-mapping/",
              "hostname", "instance-action", "instance-id", "instance-type",
              "local-hostname", "local-ipv4", "placement/", "public-hostname",
              "public-ipv4", "public-keys/", "reservation-id", "security-groups"]


@pytest.fixture
def secret() -> Iterator[None]:
    CONF.set_override("metadata_proxy_shared_secret", SECRET)
    yield
    CONF.clear_override("metadata_proxy_shared_secret")


@pytest.fixture
def no_cache() -> Iterator[None]:
    CONF.set_override("metadata_cache_expiration", 0)
    yield
    CONF.clear_override("metadata_cache_expiration")


def _guest(address: str) -> TestClient:
    """A client whose requests come from `address`, as the DNAT leaves them."""
    return TestClient(create_app(), client=(address, 40000), base_url="http://169.254.169.254")


def _server(cloud: Cloud, headers: dict[str, str], key: str | None = None,
            **extra: Any) -> dict[str, Any]:
    image = cloud.create_image(cloud.headers(), visibility="public")["id"]
    if key:
        resp = cloud.compute.post("/v2.1/os-keypairs", headers=headers,
                                  json={"keypair": {"name": key}})
        assert resp.status_code == 200, resp.text
        extra["key_name"] = key
    sid = cloud.boot(headers, image, networks="auto", **extra)["id"]
    server = cloud.wait_for_server(headers, sid)
    assert server["status"] == "ACTIVE", server
    return server


def _fixed_ip(server: dict[str, Any]) -> str:
    return next(a["addr"] for items in server["addresses"].values() for a in items
                if a["OS-EXT-IPS:type"] == "fixed" and a["version"] == 4)


@pytest.fixture
def listening(cloud: Cloud) -> Iterator[None]:
    """The metadata service's RPC server, through which the conductor invalidates its
    cache."""
    from stratus import launcher
    services = launcher.rpc_services(["metadata_api"])
    for service in services:
        service.start()
    yield
    for service in services:
        service.stop()


@pytest.fixture
def web(cloud: Cloud, listening: None) -> dict[str, Any]:
    """An ACTIVE server with a key pair, user data and metadata, and its guest's client."""
    user = cloud.make_user()
    server = _server(cloud, user["headers"], key="web-key", name="web-1",
                     metadata={"role": "webserver"},
                     user_data=base64.b64encode(SCRIPT).decode())
    return {"server": server, "user": user, "guest": _guest(_fixed_ip(server))}


def test_the_root_lists_the_ec2_versions_to_anyone(cloud: Cloud) -> None:
    resp = _guest("192.0.2.99").get("/")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    assert resp.text.split("\n") == ["1.0", "2007-01-19", "2007-03-01", "2007-08-29",
                                     "2007-10-10", "2007-12-15", "2008-02-01", "2008-09-01",
                                     "2009-04-04", "latest"]


def test_the_openstack_tree_of_the_guest(cloud: Cloud, web: dict[str, Any]) -> None:
    guest, server = web["guest"], web["server"]
    versions = guest.get("/openstack").text.split("\n")
    assert versions[0] == "2012-08-10" and "2018-08-27" in versions and versions[-1] == "latest"
    assert guest.get("/openstack/").text == guest.get("/openstack").text
    assert guest.get("/openstack/latest").text.split("\n") == [
        "meta_data.json", "user_data", "password", "vendor_data.json", "network_data.json",
        "vendor_data2.json"]
    assert guest.get("/openstack/2012-08-10/").text.split("\n") == ["meta_data.json",
                                                                    "user_data"]
    resp = guest.get("/openstack/2018-08-27/meta_data.json")
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    meta = resp.json()
    key = cloud.compute.get("/v2.1/os-keypairs/web-key",
                            headers=web["user"]["headers"]).json()["keypair"]["public_key"]
    assert meta["uuid"] == server["id"] and meta["name"] == "web-1"
    assert meta["hostname"] == "web-1.novalocal"
    assert meta["meta"] == {"role": "webserver"}
    assert meta["public_keys"] == {"web-key": key}
    assert meta["keys"] == [{"name": "web-key", "type": "ssh", "data": key}]
    assert meta["project_id"] == web["user"]["project_id"] and meta["devices"] == []
    assert meta["launch_index"] == 0 and meta["availability_zone"] == "nova"
    assert len(base64.b64decode(meta["random_seed"])) == 512
    assert meta["random_seed"] != guest.get("/openstack/latest/meta_data.json").json()[
        "random_seed"]
    old = guest.get("/openstack/2012-08-10/meta_data.json").json()
    assert "random_seed" not in old and "project_id" not in old and old["uuid"] == server["id"]
    assert guest.get("/openstack/latest/user_data").content == SCRIPT
    links = guest.get("/openstack/latest/network_data.json").json()["links"]
    mac = next(a for items in server["addresses"].values()
               for a in items)["OS-EXT-IPS-MAC:mac_addr"]
    assert [link["ethernet_mac_address"] for link in links] == [mac]
    assert guest.get("/openstack/latest/vendor_data.json").json() == {}
    assert guest.get("/openstack/latest/vendor_data2.json").json() == {"static": {}}


@pytest.mark.parametrize("path", ["/openstack/2011-01-01/meta_data.json",
                                  "/openstack/latest/nothing", "/openstack/2012-08-10/password",
                                  "/openstack/latest/meta_data.json/more", "/2016-09-02/meta-data/",
                                  "/latest/meta-data/hostname/more", "/latest/meta-data/nothing",
                                  "/latest/meta-data/public-keys/_name"])
def test_unknown_paths_are_404(cloud: Cloud, web: dict[str, Any], path: str) -> None:
    assert web["guest"].get(path).status_code == 404


def test_the_ec2_tree_of_the_guest(cloud: Cloud, web: dict[str, Any]) -> None:
    guest, server = web["guest"], web["server"]
    assert guest.get("/latest").text == "meta-data/\nuser-data"
    assert guest.get("/latest/meta-data/").text.split("\n") == EC2_LATEST
    assert guest.get("/ec2/2009-04-04/meta-data").text == guest.get(
        "/latest/meta-data/").text
    assert "local-hostname" not in guest.get("/1.0/meta-data/").text.split("\n")
    assert guest.get("/latest/meta-data/hostname").text == "web-1.novalocal"
    assert guest.get("/latest/meta-data/local-ipv4").text == _fixed_ip(server)
    assert guest.get("/latest/meta-data/public-ipv4").text == ""
    assert guest.get("/latest/meta-data/instance-action").text == "none"
    assert guest.get("/latest/meta-data/instance-type").text == "m1.tiny"
    assert guest.get("/latest/meta-data/security-groups").text == "default"
    assert guest.get("/latest/meta-data/placement/").text == "availability-zone"
    assert guest.get("/latest/meta-data/placement/availability-zone").text == "nova"
    assert guest.get("/latest/meta-data/public-keys/").text == "0=web-key"
    assert guest.get("/latest/meta-data/public-keys/0/").text == "openssh-key"
    assert guest.get("/latest/meta-data/public-keys/0/openssh-key").text.startswith("ssh-")
    assert guest.get("/latest/meta-data/block-device-mapping/").text == "ami\nroot"
    assert guest.get("/latest/meta-data/block-device-mapping/root").text == "/dev/vda"
    assert guest.get("/latest/meta-data/instance-id").text.startswith("i-")
    assert guest.get("/latest/user-data").content == SCRIPT


def test_each_address_gets_its_own_instance_and_unknown_ones_nothing(
        cloud: Cloud, web: dict[str, Any]) -> None:
    other_user = cloud.make_user()
    other = _server(cloud, other_user["headers"], name="other-1")
    mine = web["guest"].get("/openstack/latest/meta_data.json").json()
    theirs = _guest(_fixed_ip(other)).get("/openstack/latest/meta_data.json").json()
    assert (mine["uuid"], theirs["uuid"]) == (web["server"]["id"], other["id"])
    assert "public_keys" not in theirs and "meta" not in theirs
    assert _guest(_fixed_ip(other)).get("/openstack/latest/user_data").status_code == 404
    assert _guest(_fixed_ip(other)).get("/latest/user-data").status_code == 404
    stranger = _guest("10.255.255.1")
    for path in ("/openstack", "/openstack/latest/meta_data.json", "/latest/meta-data/"):
        assert stranger.get(path).status_code == 404


def _signed(instance_id: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), instance_id.encode(), hashlib.sha256).hexdigest()


def test_a_proxy_names_the_instance_with_a_signature(cloud: Cloud, web: dict[str, Any],
                                                     secret: None) -> None:
    proxy = _guest("127.0.0.1")  # the proxy's own address means nothing
    sid, project = web["server"]["id"], web["user"]["project_id"]
    headers = {"X-Instance-ID": sid, "X-Tenant-ID": project,
               "X-Instance-ID-Signature": _signed(sid)}
    resp = proxy.get("/openstack/latest/meta_data.json", headers=headers)
    assert resp.status_code == 200 and resp.json()["uuid"] == sid
    for bad in ({**headers, "X-Instance-ID-Signature": _signed(sid, "wrong")},
                {k: v for k, v in headers.items() if k != "X-Instance-ID-Signature"}):
        assert proxy.get("/openstack/latest/meta_data.json", headers=bad).status_code == 403
    wrong_tenant = {**headers, "X-Tenant-ID": cloud.admin_project_id}
    assert proxy.get("/openstack/latest/meta_data.json",
                     headers=wrong_tenant).status_code == 404
    no_tenant = {k: v for k, v in headers.items() if k != "X-Tenant-ID"}
    assert proxy.get("/openstack/latest/meta_data.json", headers=no_tenant).status_code == 400
    gone = "00000000-0000-4000-8000-000000000000"
    assert proxy.get("/openstack/latest/meta_data.json", headers={
        "X-Instance-ID": gone, "X-Tenant-ID": project,
        "X-Instance-ID-Signature": _signed(gone)}).status_code == 404


def test_proxied_requests_are_refused_without_a_shared_secret(
        cloud: Cloud, web: dict[str, Any]) -> None:
    sid = web["server"]["id"]
    resp = _guest("127.0.0.1").get("/openstack/latest/meta_data.json", headers={
        "X-Instance-ID": sid, "X-Tenant-ID": web["user"]["project_id"],
        "X-Instance-ID-Signature": _signed(sid, "")})
    assert resp.status_code == 403


def test_the_guest_posts_its_password_once_and_the_owner_reads_and_clears_it(
        cloud: Cloud, web: dict[str, Any], no_cache: None) -> None:
    guest, sid, owner = web["guest"], web["server"]["id"], web["user"]["headers"]
    url = f"/v2.1/servers/{sid}/os-server-password"
    assert guest.get("/openstack/latest/password").text == ""
    assert cloud.compute.get(url, headers=owner).json() == {"password": ""}
    assert guest.post("/openstack/latest/password", content=b"x" * 1021).status_code == 400
    assert guest.post("/openstack/latest/password", content=b"encrypted-1").status_code == 200
    assert guest.get("/openstack/latest/password").text == "encrypted-1"
    assert guest.post("/openstack/latest/password", content=b"encrypted-2").status_code == 409
    assert cloud.compute.get(url, headers=owner).json() == {"password": "encrypted-1"}
    stranger = cloud.make_user()["headers"]
    assert cloud.compute.get(url, headers=stranger).status_code == 404
    assert cloud.compute.delete(url, headers=owner).status_code == 204
    assert guest.get("/openstack/latest/password").text == ""
    assert guest.post("/openstack/latest/password", content=b"y" * 1020).status_code == 200


def test_what_the_guest_sees_changes_at_once_though_it_is_cached(
        cloud: Cloud, web: dict[str, Any]) -> None:
    """Server metadata, security groups and floating IPs set through the compute API
    show at once: the conductor tells the metadata services to forget the server."""
    guest, sid, owner = web["guest"], web["server"]["id"], web["user"]["headers"]
    assert CONF.metadata_cache_expiration == 15
    assert guest.get("/openstack/latest/meta_data.json").json()["meta"] == {
        "role": "webserver"}
    resp = cloud.compute.post(f"/v2.1/servers/{sid}/metadata", headers=owner,
                              json={"metadata": {"tier": "front"}})
    assert resp.status_code == 200, resp.text
    assert guest.get("/openstack/latest/meta_data.json").json()["meta"] == {
        "role": "webserver", "tier": "front"}
    legacy = {**owner, "X-OpenStack-Nova-API-Version": "2.1"}
    group = cloud.compute.post("/v2.1/os-security-groups", headers=legacy, json={
        "security_group": {"name": "web", "description": "web servers"}})
    assert group.status_code == 200, group.text
    assert cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=legacy, json={
        "addSecurityGroup": {"name": "web"}}).status_code == 202
    assert guest.get("/latest/meta-data/security-groups").text.split("\n") == [
        "default", "web"]


def test_a_deleted_servers_address_serves_the_next_server_not_its_data(
        cloud: Cloud, web: dict[str, Any]) -> None:
    address, owner = _fixed_ip(web["server"]), web["user"]["headers"]
    assert web["guest"].get("/openstack/latest/user_data").content == SCRIPT
    assert cloud.compute.delete(f"/v2.1/servers/{web['server']['id']}",
                                headers=owner).status_code == 204
    cloud.wait_until_gone(owner, web["server"]["id"])
    assert web["guest"].get("/openstack/latest/meta_data.json").status_code == 404
    again = _server(cloud, owner, name="next-1")
    assert _fixed_ip(again) == address  # the lowest free address, given again
    meta = web["guest"].get("/openstack/latest/meta_data.json").json()
    assert meta["uuid"] == again["id"] and "meta" not in meta
    assert web["guest"].get("/openstack/latest/user_data").status_code == 404


def test_vendor_data_comes_from_the_operators_file(cloud: Cloud, web: dict[str, Any],
                                                   tmp_path: Any) -> None:
    path = tmp_path / "vendor.json"
    path.write_text(json.dumps({"cloud-init": "#cloud-config\n"}))
    CONF.set_override("vendordata_jsonfile_path", str(path))
    try:
        guest = web["guest"]
        assert guest.get("/openstack/latest/vendor_data.json").json() == {
            "cloud-init": "#cloud-config\n"}
        assert guest.get("/openstack/latest/vendor_data2.json").json() == {
            "static": {"cloud-init": "#cloud-config\n"}}
    finally:
        CONF.clear_override("vendordata_jsonfile_path")


def test_on_the_unix_socket_the_proxy_names_one_guest(cloud: Cloud,
                                                      web: dict[str, Any]) -> None:
    """The network agent's proxy names the guest in X-Forwarded-For on the unix socket;
    over TCP the header means nothing (use_forwarded_for is off)."""
    socket_client = TestClient(launcher.on_unix_socket(create_app()), client=("", 0),
                               base_url="http://169.254.169.254")
    address, sid = _fixed_ip(web["server"]), web["server"]["id"]
    named = {"X-Forwarded-For": address}
    assert socket_client.get("/openstack/latest/meta_data.json",
                             headers=named).json()["uuid"] == sid
    two = [("X-Forwarded-For", address), ("X-Forwarded-For", "10.255.255.1")]
    assert socket_client.get("/openstack/latest/meta_data.json",
                             headers=two).status_code == 400
    listed = {"X-Forwarded-For": f"{address}, 10.255.255.1"}
    assert socket_client.get("/openstack/latest/meta_data.json",
                             headers=listed).status_code == 400
    stranger = _guest("10.255.255.1")
    assert stranger.get("/openstack/latest/meta_data.json",
                        headers=named).status_code == 404


def test_odd_signatures_and_passwords_are_4xx(cloud: Cloud, web: dict[str, Any],
                                              secret: None, no_cache: None) -> None:
    sid = web["server"]["id"]
    resp = _guest("127.0.0.1").get("/openstack/latest/meta_data.json", headers={
        "X-Instance-ID": sid, "X-Tenant-ID": web["user"]["project_id"],
        "X-Instance-ID-Signature": "é".encode()})
    assert resp.status_code == 403
    guest = web["guest"]
    assert guest.post("/openstack/latest/password", content=b"\xff\xfe").status_code == 400
    assert guest.post("/openstack/latest/password",
                      content=iter([b"x" * 1000, b"x" * 1000])).status_code == 400
    assert guest.get("/openstack/latest/password").text == ""


def test_an_unreadable_vendor_data_file_serves_nothing(cloud: Cloud, web: dict[str, Any],
                                                       tmp_path: Any) -> None:
    path = tmp_path / "vendor.json"
    path.write_text("{not json")
    CONF.set_override("vendordata_jsonfile_path", str(path))
    try:
        assert web["guest"].get("/openstack/latest/vendor_data.json").json() == {}
    finally:
        CONF.clear_override("vendordata_jsonfile_path")


@pytest.fixture
def vendor_services() -> Iterator[dict[str, Any]]:
    """Two operator services on loopback: `fast` answers JSON (and records what it was
    sent), `slow` answers too late."""
    import http.server
    import threading
    seen: list[dict[str, Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path == "/slow":
                time.sleep(2)
            seen.append({"body": body, "agent": self.headers["User-Agent"]})
            answer = json.dumps({"cloud-init": "#cloud-config\n"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}", "seen": seen}
    server.shutdown()


def test_vendor_data2_asks_the_operators_services_without_waiting_past_their_timeouts(
        cloud: Cloud, web: dict[str, Any], vendor_services: dict[str, Any]) -> None:
    url, closed = vendor_services["url"], f"http://127.0.0.1:{_closed_port()}"
    overrides = {"vendordata_providers": ["StaticJSON", "DynamicJSON"],
                 "vendordata_dynamic_targets": [f"fast@{url}/fast", f"slow@{url}/slow",
                                                f"down@{closed}/", "no-url"],
                 "vendordata_dynamic_read_timeout": 0.5,
                 "vendordata_dynamic_connect_timeout": 0.5}
    for key, value in overrides.items():
        CONF.set_override(key, value)
    try:
        start = time.monotonic()
        document = web["guest"].get("/openstack/latest/vendor_data2.json").json()
        assert time.monotonic() - start < 1.5
        assert document == {"static": {}, "fast": {"cloud-init": "#cloud-config\n"},
                            "slow": {}, "down": {}}
        fast = vendor_services["seen"][0]
        assert fast["agent"] == "openstack-nova-vendordata"
        assert fast["body"]["instance-id"] == web["server"]["id"]
        assert fast["body"]["project-id"] == web["user"]["project_id"]
        assert fast["body"]["metadata"] == {"role": "webserver"}
    finally:
        for key in overrides:
            CONF.clear_override(key)


def _closed_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
