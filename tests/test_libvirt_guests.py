"""Real guests under qemu (TCG) through the libvirt driver, end to end over HTTP.

A private libvirtd runs inside a network namespace this test creates and removes; the
cloud runs as `make up` runs it, with the libvirt driver pointed at that libvirtd.
"""
from __future__ import annotations

import pathlib
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from compute_agent.virt.libvirt import private_daemon
from stratus.guest import upload
from tests.embedded import EmbeddedCloud

pytestmark = pytest.mark.slow
V = {"OpenStack-API-Version": "compute 2.47"}


@pytest.fixture(scope="module")
def libvirt_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[EmbeddedCloud, private_daemon.PrivateLibvirtd]]:
    why = private_daemon.usable()
    if why:
        pytest.skip(f"LIBVIRT UNUSABLE HERE: {why}")
    base = tmp_path_factory.mktemp("libvirt")
    daemon = private_daemon.PrivateLibvirtd(base / "libvirtd",
                                            "stratus-test-" + uuid.uuid4().hex[:6]).start()
    cloud = EmbeddedCloud(base / "state", {"OS_COMPUTE__VIRT_DRIVER": "libvirt",
                                           "OS_LIBVIRT__CONNECTION_URI": daemon.uri})
    try:
        cloud.start()
        yield cloud, daemon
    finally:
        cloud.stop()
        daemon.stop()


def _client(cloud: EmbeddedCloud) -> httpx.Client:
    client, _image = upload.session_from_clouds_yaml(cloud.clouds_yaml)
    client.headers.update(V)
    return client


def _wait(client: httpx.Client, url: str, until: Any, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = until(client)
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up waiting on {url}"
        time.sleep(0.5)


def test_test_guest_boots_prints_its_init_lines_and_is_deleted(
        libvirt_cloud: tuple[EmbeddedCloud, private_daemon.PrivateLibvirtd]) -> None:
    import libvirt
    cloud, daemon = libvirt_cloud
    built = cloud.run("stratus", "image", "build-test-guest", "--clouds-yaml",
                      str(cloud.clouds_yaml))
    assert "Uploaded image stratus-test-guest" in built.stdout, built.stdout
    client = _client(cloud)
    images = client.get(f"{cloud.image_url}/v2/images?name=stratus-test-guest").json()
    image = images["images"][0]
    assert image["kernel_id"] and image["ramdisk_id"] and image["disk_format"] == "qcow2"

    resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": {
        "name": "guest-1", "imageRef": image["id"], "flavorRef": "1", "networks": "none"}})
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    server_url = f"{cloud.compute_url}/v2.1/servers/{sid}"
    server = _wait(client, server_url, lambda c: (lambda s: s if s["status"] != "BUILD"
                                                  else None)(c.get(server_url).json()["server"]))
    assert server["status"] == "ACTIVE", server.get("fault")

    conn = libvirt.open(daemon.uri)
    domain = conn.lookupByUUIDString(sid)
    assert domain.isActive() and domain.name() == server["OS-EXT-SRV-ATTR:instance_name"]
    assert domain.info()[1] == 512 * 1024  # KiB, from m1.tiny

    def console(c: httpx.Client, length: int | None = None) -> str:
        body = {"os-getConsoleOutput": {} if length is None else {"length": length}}
        resp = c.post(f"{server_url}/action", json=body)
        assert resp.status_code == 200, resp.text
        return str(resp.json()["output"])

    output = _wait(client, server_url,
                   lambda c: (lambda o: o if "stratus-guest: ready" in o else None)(console(c)))
    assert "stratus-guest: boot ok" in output
    assert "stratus-guest: no network and no config drive" in output
    assert len(console(client, 2).splitlines()) == 2

    assert client.delete(server_url).status_code == 204
    _wait(client, server_url, lambda c: c.get(server_url).status_code == 404)
    with pytest.raises(libvirt.libvirtError):
        conn.lookupByUUIDString(sid)
    instances = cloud.state / "instances"
    assert not (instances / sid).exists()
    assert (instances / "_base" / image["id"]).exists()  # the cache outlives instances
    conn.close()
