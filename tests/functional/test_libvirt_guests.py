"""Real guests under qemu (TCG) through the libvirt driver, end to end over HTTP.

A private libvirtd runs inside a network namespace this test creates and removes; the
cloud runs as `make up` runs it, with the libvirt driver pointed at that libvirtd.
"""
from __future__ import annotations

import json
import pathlib
import re
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from compute_agent.virt.libvirt import private_daemon
from stratus_tools.guest import upload
from tests.functional.embedded import EmbeddedCloud

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
                                           "OS_LIBVIRT__CONNECTION_URI": daemon.uri,
                                           "OS_NETWORK__NETWORK_NAMESPACE": daemon.netns,
                                           # one host: resizes stay on it
                                           "OS_DEFAULT__ALLOW_RESIZE_TO_SAME_HOST": "true"})
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


def _wait(client: httpx.Client, url: str, until: Any, timeout: float = 180) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = until(client)
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up waiting on {url}"
        time.sleep(0.5)


def _test_image(cloud: EmbeddedCloud, client: httpx.Client) -> dict[str, Any]:
    found = client.get(f"{cloud.image_url}/v2/images?name=stratus-test-guest").json()["images"]
    if not found:
        cloud.run("stratus", "image", "build-test-guest", "--clouds-yaml",
                  str(cloud.clouds_yaml))
        found = client.get(f"{cloud.image_url}/v2/images?name=stratus-test-guest").json()[
            "images"]
    return dict(found[0])


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

    flavor = client.post(f"{cloud.compute_url}/v2.1/flavors", json={"flavor": {
        "name": "t1.disks", "ram": 512, "vcpus": 1, "disk": 1,
        "OS-FLV-EXT-DATA:ephemeral": 1, "swap": 64}}).json()["flavor"]
    resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": {
        "name": "guest-1", "imageRef": image["id"], "flavorRef": flavor["id"],
        "networks": "none"}})
    assert resp.status_code == 202, resp.text
    sid = resp.json()["server"]["id"]
    server_url = f"{cloud.compute_url}/v2.1/servers/{sid}"
    server = _wait(client, server_url, lambda c: (lambda s: s if s["status"] != "BUILD"
                                                  else None)(c.get(server_url).json()["server"]))
    assert server["status"] == "ACTIVE", server.get("fault")

    conn = libvirt.open(daemon.uri)
    domain = conn.lookupByUUIDString(sid)
    assert domain.isActive() and domain.name() == server["OS-EXT-SRV-ATTR:instance_name"]
    assert domain.info()[1] == 512 * 1024  # KiB, from the flavor
    disks = {target.get("dev"): source.get("file") for target, source in
             ((d.find("target"), d.find("source")) for d in
              ET.fromstring(domain.XMLDesc()).iter("disk"))}
    folder = cloud.state / "instances" / sid
    assert disks == {"vda": str(folder / "disk"), "vdb": str(folder / "disk.eph0"),
                     "vdc": str(folder / "disk.swap")}
    sizes = {name: json.loads(subprocess.run(
        ["qemu-img", "info", "-U", "--output=json", str(folder / name)], capture_output=True,
        text=True, check=True).stdout)["virtual-size"] for name in ("disk", "disk.eph0",
                                                                   "disk.swap")}
    assert sizes == {"disk": 1024 ** 3, "disk.eph0": 1024 ** 3, "disk.swap": 64 * 1024 ** 2}

    def console(c: httpx.Client, length: int | None = None) -> str:
        body = {"os-getConsoleOutput": {} if length is None else {"length": length}}
        resp = c.post(f"{server_url}/action", json=body)
        assert resp.status_code == 200, resp.text
        return str(resp.json()["output"])

    output = _wait(client, server_url,
                   lambda c: (lambda o: o if "stratus-guest: ready" in o else None)(console(c)))
    assert "stratus-guest: boot ok" in output
    assert "stratus-guest: no network and no config drive" in output
    # `length` counts pieces between newlines, as Nova does (the guest is idle by now).
    whole = console(client)
    assert console(client, 3) == "\n".join(whole.split("\n")[-3:])
    assert len(console(client, 3)) < len(whole)

    assert client.delete(server_url).status_code == 204
    _wait(client, server_url, lambda c: c.get(server_url).status_code == 404)
    with pytest.raises(libvirt.libvirtError):
        conn.lookupByUUIDString(sid)
    instances = cloud.state / "instances"
    assert not (instances / sid).exists()
    assert (instances / "_base" / image["id"]).exists()  # the cache outlives instances
    conn.close()

    # the host's uptime, as `uptime` prints it, from the compute agent
    node = client.get(f"{cloud.compute_url}/v2.1/os-hypervisors").json()["hypervisors"][0]
    resp = client.get(f"{cloud.compute_url}/v2.1/os-hypervisors/{node['id']}/uptime")
    assert resp.status_code == 200, resp.text
    assert re.fullmatch(r" \d\d:\d\d:\d\d up .+,\s+\d+ users?,  load average: "
                        r"\d+\.\d\d, \d+\.\d\d, \d+\.\d\d",
                        resp.json()["hypervisor"]["uptime"]), resp.text


def test_power_actions_and_self_shutdown_on_a_real_guest(
        libvirt_cloud: tuple[EmbeddedCloud, private_daemon.PrivateLibvirtd]) -> None:
    import libvirt
    cloud, daemon = libvirt_cloud
    client = _client(cloud)
    image_id = _test_image(cloud, client)["id"]
    resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": {
        "name": "guest-2", "imageRef": image_id, "flavorRef": "1", "networks": "none"}})
    sid = resp.json()["server"]["id"]
    url = f"{cloud.compute_url}/v2.1/servers/{sid}"

    def server(c: httpx.Client) -> dict[str, Any]:
        return dict(c.get(url).json()["server"])

    def settled(status: str) -> dict[str, Any]:
        return _wait(client, url, lambda c: (lambda s: s if s["status"] == status and
                                             s["OS-EXT-STS:task_state"] is None else None)(
            server(c)))

    def boots(c: httpx.Client) -> int:
        out = c.post(f"{url}/action", json={"os-getConsoleOutput": {}}).json()["output"]
        return str(out).count("stratus-guest: ready")

    settled("ACTIVE")
    _wait(client, url, lambda c: boots(c) == 1)
    diag = client.get(f"{url}/diagnostics").json()
    assert diag["memory"] == 512 * 1024 and diag["cpu_time"] > 0 and diag["vda_read"] > 0
    assert "cpu0_time" in diag
    conn = libvirt.open(daemon.uri)
    domain = conn.lookupByUUIDString(sid)

    def act(body: dict[str, Any], status: str) -> dict[str, Any]:
        assert client.post(f"{url}/action", json=body).status_code == 202, body
        return settled(status)

    assert act({"os-stop": None}, "SHUTOFF")["OS-EXT-STS:power_state"] == 4
    assert not domain.isActive()
    snap = client.post(f"{url}/action", json={"createImage": {"name": "stopped-snap"}})
    snap_url = f"{cloud.image_url}/v2/images/{snap.json()['image_id']}"
    _wait(client, snap_url, lambda c: c.get(snap_url).json()["status"] == "active")
    settled("SHUTOFF")  # a snapshot of a stopped server leaves it stopped
    act({"os-start": None}, "ACTIVE")
    _wait(client, url, lambda c: boots(c) == 2)
    act({"reboot": {"type": "SOFT"}}, "ACTIVE")
    _wait(client, url, lambda c: boots(c) == 3)
    act({"reboot": {"type": "HARD"}}, "ACTIVE")
    _wait(client, url, lambda c: boots(c) == 4)
    assert act({"pause": None}, "PAUSED")["OS-EXT-STS:power_state"] == 3
    assert domain.state()[0] == libvirt.VIR_DOMAIN_PAUSED
    act({"unpause": None}, "ACTIVE")
    act({"suspend": None}, "SUSPENDED")
    assert domain.hasManagedSaveImage() and not domain.isActive()
    act({"resume": None}, "ACTIVE")
    assert domain.isActive() and boots(client) == 4  # resumed, not rebooted

    rebuilt = client.post(f"{url}/action", json={"rebuild": {"imageRef": image_id}})
    assert rebuilt.status_code == 202 and rebuilt.json()["server"]["status"] == "REBUILD"
    settled("ACTIVE")
    _wait(client, url, lambda c: boots(c) == 1)  # a new guest, with a new console log

    def disk_files() -> list[str]:
        xml = ET.fromstring(conn.lookupByUUIDString(sid).XMLDesc(0))
        return [pathlib.Path(d.attrib["file"]).name
                for d in xml.findall("./devices/disk/source")]

    # Rescue: the image boots from a fresh disk, the server's own disk attached second.
    rescued = client.post(f"{url}/action", json={"rescue": None})
    assert rescued.status_code == 200 and rescued.json()["adminPass"]
    settled("RESCUE")
    _wait(client, url, lambda c: boots(c) == 2)
    assert disk_files() == ["disk.rescue", "disk"]
    act({"unrescue": None}, "ACTIVE")
    _wait(client, url, lambda c: boots(c) == 3)
    assert disk_files() == ["disk"]
    assert not (cloud.state / "instances" / sid / "disk.rescue").exists()
    domain = conn.lookupByUUIDString(sid)

    # The guest powers itself off (an ACPI power button press Stratus did not ask for):
    # once the guest is off, the lifecycle event brings the server to SHUTOFF within 10 s
    # (how long the guest takes to react depends on the machine's load, not on Stratus).
    domain.shutdown()
    _wait(client, url, lambda c: not domain.isActive(), timeout=120)
    stopped = time.monotonic()
    _wait(client, url, lambda c: server(c)["status"] == "SHUTOFF", timeout=10)
    assert time.monotonic() - stopped < 10
    assert server(client)["OS-EXT-STS:power_state"] == 4
    actions = client.get(f"{url}/os-instance-actions").json()["instanceActions"]
    assert [a["action"] for a in actions][:4] == ["unrescue", "rescue", "rebuild", "resume"]

    # Shelve: snapshot, then the guest goes (offloaded); unshelve boots it from the snapshot.
    assert client.post(f"{url}/action", json={"shelve": None}).status_code == 202
    settled("SHELVED_OFFLOADED")
    with pytest.raises(libvirt.libvirtError):
        conn.lookupByUUIDString(sid)
    assert client.post(f"{url}/action", json={"unshelve": None}).status_code == 202
    settled("ACTIVE")
    _wait(client, url, lambda c: boots(c) == 1)
    assert conn.lookupByUUIDString(sid).isActive()
    assert client.delete(url).status_code == 204
    _wait(client, url, lambda c: c.get(url).status_code == 404)
    conn.close()


def test_resize_reaches_the_domain_and_reverts_or_confirms(
        libvirt_cloud: tuple[EmbeddedCloud, private_daemon.PrivateLibvirtd]) -> None:
    import libvirt
    cloud, daemon = libvirt_cloud
    client = _client(cloud)
    image_id = _test_image(cloud, client)["id"]
    flavor = client.post(f"{cloud.compute_url}/v2.1/flavors", json={"flavor": {
        "name": "resize-target", "ram": 640, "vcpus": 2, "disk": 2}})
    assert flavor.status_code == 200, flavor.text
    resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": {
        "name": "guest-resize", "imageRef": image_id, "flavorRef": "1",
        "networks": "none"}})
    sid = resp.json()["server"]["id"]
    url = f"{cloud.compute_url}/v2.1/servers/{sid}"
    folder = cloud.state / "instances" / sid
    aside = cloud.state / "instances" / f"{sid}_resize"
    conn = libvirt.open(daemon.uri)

    def settled(status: str) -> dict[str, Any]:
        def check(c: httpx.Client) -> Any:
            s = c.get(url).json()["server"]
            return s if s["status"] == status and s["OS-EXT-STS:task_state"] is None else None
        return dict(_wait(client, url, check))

    def boots(c: httpx.Client) -> int:
        """Boots in the guest's whole console log (the API shows only its tail, which a
        slow boot's kernel warnings can fill)."""
        log = folder / "console.log"
        return log.read_text(errors="replace").count("stratus-guest: ready") \
            if log.exists() else 0

    def domain_size() -> tuple[int, int]:
        xml = ET.fromstring(conn.lookupByUUIDString(sid).XMLDesc(0))
        return int(xml.findtext("memory") or 0) // 1024, int(xml.findtext("vcpu") or 0)

    def disk_gb() -> float:
        out = subprocess.run(["qemu-img", "info", "-U", "--output=json", str(folder / "disk")],
                             capture_output=True, text=True, check=True).stdout
        return int(json.loads(out)["virtual-size"]) / 1024 ** 3

    def resize() -> None:
        assert client.post(f"{url}/action", json={"resize": {
            "flavorRef": flavor.json()["flavor"]["id"]}}).status_code == 202
        shown = settled("VERIFY_RESIZE")
        assert (shown["flavor"]["vcpus"], shown["flavor"]["ram"]) == (2, 640)

    settled("ACTIVE")
    _wait(client, url, lambda c: boots(c) >= 1)
    assert domain_size() == (512, 1) and disk_gb() == 1
    resize()
    assert domain_size() == (640, 2) and disk_gb() == 2
    assert conn.lookupByUUIDString(sid).isActive() and aside.is_dir()
    _wait(client, url, lambda c: boots(c) >= 2)  # the same console log, a second boot
    assert client.post(f"{url}/action", json={"revertResize": None}).status_code == 202
    settled("ACTIVE")
    assert domain_size() == (512, 1) and disk_gb() == 1 and not aside.exists()
    # The old guest's own console log, where it booted once before.
    _wait(client, url, lambda c: boots(c) >= 2)
    resize()
    _wait(client, url, lambda c: boots(c) >= 3)
    assert client.post(f"{url}/action", json={"confirmResize": None}).status_code == 204
    settled("ACTIVE")
    assert domain_size() == (640, 2) and not aside.exists()
    assert conn.lookupByUUIDString(sid).isActive() and boots(client) >= 3
    assert client.delete(url).status_code == 204
    _wait(client, url, lambda c: c.get(url).status_code == 404)
    assert not folder.exists()
    conn.close()


def test_config_drive_delivers_metadata_keys_and_user_data(
        libvirt_cloud: tuple[EmbeddedCloud, private_daemon.PrivateLibvirtd]) -> None:
    import base64
    cloud, _daemon = libvirt_cloud
    client = _client(cloud)
    image = _test_image(cloud, client)
    client.post(f"{cloud.compute_url}/v2.1/os-keypairs", json={"keypair": {"name": "cd-key"}})
    script = "#!/bin/sh\necho hello from user data\necho kept > /root/marker\nsync\n"
    resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": {
        "name": "guest-3", "imageRef": image["id"], "flavorRef": "1", "networks": "none",
        "config_drive": True, "key_name": "cd-key",
        "user_data": base64.b64encode(script.encode()).decode()}})
    sid = resp.json()["server"]["id"]
    url = f"{cloud.compute_url}/v2.1/servers/{sid}"

    def output(c: httpx.Client) -> str:
        resp = c.post(f"{url}/action", json={"os-getConsoleOutput": {}})
        return str(resp.json().get("output", "")) if resp.status_code == 200 else ""

    text = _wait(client, url, lambda c: (lambda o: o if "stratus-guest: ready" in o else None)(
        output(c)))
    assert "stratus-guest: config drive ok" in text
    assert f"stratus-guest: metadata ok hostname=guest-3.novalocal uuid={sid} keys=1" in text
    assert "stratus-guest: user_data: hello from user data" in text
    assert "stratus-guest: user_data done rc=0" in text
    assert client.get(url).json()["server"]["config_drive"] == "True"

    # A live snapshot keeps what user_data wrote; a server booted from it sees the file.
    snap = client.post(f"{url}/action", json={"createImage": {"name": "guest-3-snap"}})
    assert snap.status_code == 202, snap.text
    image_url = f"{cloud.image_url}/v2/images/{snap.json()['image_id']}"
    snapshot = _wait(client, image_url, lambda c: (lambda i: i if i["status"] == "active"
                                                   else None)(c.get(image_url).json()))
    assert snapshot["disk_format"] == "qcow2" and snapshot["instance_uuid"] == sid
    assert snapshot["kernel_id"] == image["kernel_id"]
    reader = "#!/bin/sh\necho marker says $(cat /root/marker)\n"
    resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": {
        "name": "guest-4", "imageRef": snapshot["id"], "flavorRef": "1", "networks": "none",
        "config_drive": True, "user_data": base64.b64encode(reader.encode()).decode()}})
    second = f"{cloud.compute_url}/v2.1/servers/{resp.json()['server']['id']}"

    def second_output(c: httpx.Client) -> str:
        resp = c.post(f"{second}/action", json={"os-getConsoleOutput": {}})
        return str(resp.json().get("output", "")) if resp.status_code == 200 else ""

    text = _wait(client, second, lambda c: (lambda o: o if "stratus-guest: ready" in o
                                            else None)(second_output(c)))
    assert "stratus-guest: user_data: marker says kept" in text
    for server_url in (url, second):
        assert client.delete(server_url).status_code == 204
    for server_url in (url, second):
        _wait(client, server_url, lambda c: c.get(server_url).status_code == 404)


def test_bad_images_end_in_clear_errors_and_leave_nothing_behind(
        libvirt_cloud: tuple[EmbeddedCloud, private_daemon.PrivateLibvirtd]) -> None:
    import libvirt
    cloud, daemon = libvirt_cloud
    client = _client(cloud)
    kernel = _test_image(cloud, client)["kernel_id"]
    resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": {
        "name": "kernel", "imageRef": kernel, "flavorRef": "1", "networks": "none"}})
    assert resp.status_code == 400 and "cannot be booted" in resp.text

    # A real qcow2 disk of 5 GiB (virtually) on a 1 GB flavor, and a file that only claims
    # to be qcow2: each build fails, says why, and leaves no domain and no instance files.
    big = cloud.state / "big.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(big), "5G"], check=True)
    cases = [(big.read_bytes(), "Flavor's disk is too small"),
             (b"QFI\xfb" + b"\0" * 508, "qemu-img info failed")]
    conn = libvirt.open(daemon.uri)
    for data, cause in cases:
        image = client.post(f"{cloud.image_url}/v2/images", json={
            "name": "bad", "disk_format": "qcow2", "container_format": "bare"}).json()
        client.put(f"{cloud.image_url}/v2/images/{image['id']}/file", content=data,
                   headers={"Content-Type": "application/octet-stream"})
        resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": {
            "name": "bad", "imageRef": image["id"], "flavorRef": "1", "networks": "none"}})
        assert resp.status_code == 202, resp.text
        sid = resp.json()["server"]["id"]
        url = f"{cloud.compute_url}/v2.1/servers/{sid}"
        server = _wait(client, url, lambda c: (lambda s: s if s["status"] != "BUILD"
                                               else None)(c.get(url).json()["server"]))
        assert server["status"] == "ERROR"
        assert "failed after 1 attempt" in server["fault"]["message"]
        assert cause in server["fault"]["message"], server["fault"]
        assert sid not in [d.UUIDString() for d in conn.listAllDomains()]
        assert not (cloud.state / "instances" / sid).exists()
    conn.close()


def test_stratus_all_runs_its_own_libvirtd_when_asked_for_auto(
        tmp_path: pathlib.Path) -> None:
    why = private_daemon.usable()
    if why:
        pytest.skip(f"LIBVIRT UNUSABLE HERE: {why}")
    cloud = EmbeddedCloud(tmp_path / "state", {"OS_COMPUTE__VIRT_DRIVER": "auto"})
    try:
        cloud.start()
        log = cloud.log.read_text()
        assert "Started a private libvirtd" in log and "with the libvirt driver" in log
        netns = log.split("in network namespace ")[1].split()[0]
        assert netns in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                       text=True).stdout
        client = _client(cloud)
        image = _test_image(cloud, client)
        resp = client.post(f"{cloud.compute_url}/v2.1/servers", json={"server": {
            "name": "auto", "imageRef": image["id"], "flavorRef": "1", "networks": "none"}})
        url = f"{cloud.compute_url}/v2.1/servers/{resp.json()['server']['id']}"
        server = _wait(client, url, lambda c: (lambda s: s if s["status"] != "BUILD"
                                               else None)(c.get(url).json()["server"]))
        assert server["status"] == "ACTIVE", server.get("fault")
    finally:
        cloud.stop()
    assert "Stopped the private libvirtd" in cloud.log.read_text()
    assert netns not in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                       text=True).stdout
