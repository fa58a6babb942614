"""cloud-init's own readers (Debian's cloud-init package, used as a library, not
installed) parse what a guest gets: the OpenStack and EC2 trees over HTTP from inside a
guest's network namespace, through the network agent's metadata proxy and the metadata
API's unix socket, and the config drive's files; both paths give the same facts."""
from __future__ import annotations

import base64
import contextlib
import json
import os
import pathlib
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from metadata_api.app import create_app
from stratus import instance_metadata, launcher
from tests.functional.conftest import Cloud

pytestmark = pytest.mark.slow
SCRIPT = b"#!/bin/sh\necho from user data\n"


@pytest.fixture(scope="module")
def cloud_init(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """cloudinit.sources.helpers from Debian's package, unpacked (apt-get download)."""
    work = tmp_path_factory.mktemp("cloud-init")
    subprocess.run(["apt-get", "download", "cloud-init"], cwd=work, check=True,
                   capture_output=True)
    deb = next(work.glob("cloud-init_*.deb"))
    subprocess.run(["dpkg", "-x", str(deb), str(work / "root")], check=True)
    sys.path.insert(0, str(work / "root/usr/lib/python3/dist-packages"))
    try:
        from cloudinit.sources.helpers import ec2, openstack
        yield {"ec2": ec2, "openstack": openstack,
               "path": str(work / "root/usr/lib/python3/dist-packages")}
    finally:
        sys.path.remove(str(work / "root/usr/lib/python3/dist-packages"))
        for name in [m for m in sys.modules if m == "cloudinit" or m.startswith("cloudinit.")]:
            del sys.modules[name]


def _ip(*argv: str) -> None:
    subprocess.run(["ip", *argv], check=True, capture_output=True)


@contextlib.contextmanager
def _link(guest_cidr: str, host_address: str) -> Iterator[tuple[str, str]]:
    """Two namespaces joined by a veth: the guest's with its fixed IP, the host's with
    the gateway address; removed at the end."""
    tag = uuid.uuid4().hex[:6]
    guest, host = f"stratus-mdg-{tag}", f"stratus-mdh-{tag}"
    try:
        for ns in (guest, host):
            _ip("netns", "add", ns)
        _ip("-n", guest, "link", "add", "g0", "type", "veth", "peer", "name", "h0",
            "netns", host)
        _ip("-n", guest, "addr", "add", guest_cidr, "dev", "g0")
        prefix = guest_cidr.split("/")[1]
        _ip("-n", host, "addr", "add", f"{host_address}/{prefix}", "dev", "h0")
        for ns, dev in ((guest, "g0"), (host, "h0")):
            _ip("-n", ns, "link", "set", dev, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        yield guest, host
    finally:
        for ns in (guest, host):
            for pid in subprocess.run(["ip", "netns", "pids", ns], capture_output=True,
                                      text=True).stdout.split():
                subprocess.run(["kill", pid], check=False)
            subprocess.run(["ip", "netns", "del", ns], check=False, capture_output=True)


# cloud-init's readers, run inside the guest's namespace (`ip netns exec`): the answers as
# JSON, bytes as base64.
READERS = """
import base64, json, sys, time
import httpx
from cloudinit.sources.helpers import ec2, openstack
url = sys.argv[1]
deadline = time.monotonic() + 20
while True:
    try:
        if httpx.get(url + "/openstack", timeout=2).status_code == 200:
            break
    except httpx.HTTPError:
        pass
    if time.monotonic() > deadline:
        sys.exit("the metadata proxy never answered")
    time.sleep(0.1)
def plain(value):
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
print(json.dumps(plain({
    "openstack": openstack.MetadataReader(url, retries=2).read_v2(),
    "ec2": ec2.get_instance_metadata(metadata_address=url, retries=2),
    "ec2_user": ec2.get_instance_userdata(metadata_address=url, retries=2)})))
"""


def _read_in(netns: str, url: str, path: str) -> dict[str, Any]:
    done = subprocess.run(["ip", "netns", "exec", netns, sys.executable, "-c", READERS, url],
                          env={**os.environ, "PYTHONPATH": path}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _bytes(value: Any) -> Any:
    return base64.b64decode(value["base64"]) if isinstance(value, dict) and \
        set(value) == {"base64"} else value


@contextlib.contextmanager
def _metadata_on_socket(path: pathlib.Path) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=launcher.serve_apis, daemon=True, args=(
        [("metadata_api", launcher.on_unix_socket(create_app()), launcher.UNIX + str(path),
          0)], stop))
    thread.start()
    deadline = time.monotonic() + 10
    while not path.exists():
        assert time.monotonic() < deadline, "the metadata API did not listen"
        time.sleep(0.02)
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


@contextlib.contextmanager
def _proxy(netns: str, socket: pathlib.Path, work: pathlib.Path) -> Iterator[None]:
    with open(work / "proxy.log", "wb") as log:
        proc = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-m",
                                 "network_agent.metadata_proxy", "--port", "80", "--socket",
                                 str(socket), "--pid-file", str(work / "proxy.pid")],
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(10)


def _server(cloud: Cloud) -> tuple[dict[str, Any], dict[str, str], str]:
    user = cloud.make_user()
    headers = user["headers"]
    assert cloud.compute.post("/v2.1/os-keypairs", headers=headers, json={
        "keypair": {"name": "ci-key"}}).status_code == 200
    image = cloud.create_image(cloud.headers(), visibility="public")["id"]
    sid = cloud.boot(headers, image, networks="auto", name="ci-1", key_name="ci-key",
                     metadata={"dsmode": "net"},
                     user_data=base64.b64encode(SCRIPT).decode())["id"]
    server = cloud.wait_for_server(headers, sid)
    assert server["status"] == "ACTIVE", server
    return server, headers, sid


def test_cloud_inits_readers_get_the_same_facts_over_http_and_from_the_drive(
        cloud: Cloud, cloud_init: Any, tmp_path: pathlib.Path) -> None:
    server, headers, sid = _server(cloud)
    (fixed,) = [a for items in server["addresses"].values() for a in items]
    key = cloud.compute.get("/v2.1/os-keypairs/ci-key", headers=headers).json()[
        "keypair"]["public_key"]
    socket = tmp_path / "md" / "proxy.sock"
    gateway = fixed["addr"].rsplit(".", 1)[0] + ".1"
    with _link(f"{fixed['addr']}/24", gateway) as (guest_ns, host_ns), \
            _metadata_on_socket(socket), _proxy(host_ns, socket, tmp_path):
        found = _read_in(guest_ns, f"http://{gateway}", cloud_init["path"])
    over_http, ec2_meta = found["openstack"], found["ec2"]
    over_http["userdata"] = _bytes(over_http["userdata"])
    ec2_user = _bytes(found["ec2_user"])
    instance = conductor_instance(sid)
    drive = tmp_path / "drive"
    for name, data in instance_metadata.files(instance).items():
        (drive / name).parent.mkdir(parents=True, exist_ok=True)
        (drive / name).write_bytes(data)
    from_drive = cloud_init["openstack"].ConfigDriveReader(str(drive)).read_v2()

    for read in (over_http, from_drive):
        meta = read["metadata"]
        assert meta["uuid"] == sid and meta["hostname"] == "ci-1.novalocal"
        assert meta["public_keys"] == {"ci-key": key}
        assert read["userdata"] == SCRIPT and read["dsmode"] == "net"
        assert [link["ethernet_mac_address"] for link in read["networkdata"]["links"]] == [
            fixed["OS-EXT-IPS-MAC:mac_addr"]]
    assert over_http["networkdata"] == from_drive["networkdata"]
    assert over_http["version"] == from_drive["version"] == 2
    assert ec2_meta["hostname"] == "ci-1.novalocal" and ec2_meta["local-ipv4"] == fixed["addr"]
    assert ec2_meta["public-keys"] == {"ci-key": key}
    assert ec2_meta["instance-id"] == from_drive["ec2-metadata"]["instance-id"]
    assert ec2_user == SCRIPT


def conductor_instance(sid: str) -> dict[str, Any]:
    from conductor import rpcapi as conductor_rpcapi
    from stratus.context import get_admin_context
    return dict(conductor_rpcapi.client().instance_for_guest(get_admin_context(),
                                                             instance_uuid=sid))
