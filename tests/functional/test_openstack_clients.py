"""Stock python-openstackclient and openstacksdk drive a cloud started like `make up`."""
from __future__ import annotations

import pathlib
import time
from collections.abc import Iterator

import pytest

from tests.functional.embedded import EmbeddedCloud, StockClients

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedCloud]:
    cloud = EmbeddedCloud(tmp_path_factory.mktemp("embedded") / "state").start()
    try:
        yield cloud
    finally:
        cloud.stop()


def test_openstack_cli_boots_a_server(embedded: EmbeddedCloud, tmp_path: pathlib.Path) -> None:
    osc_flow(embedded, tmp_path, hosts=1)


def osc_flow(cloud: StockClients, tmp_path: pathlib.Path, hosts: int) -> None:
    """The walking skeleton's openstackclient flow; `hosts` compute hosts are up."""
    embedded = cloud
    token = embedded.openstack("token", "issue")
    assert token["id"] and token["project_id"] and token["user_id"]

    disk = tmp_path / "disk.img"
    disk.write_bytes(b"\x00" * 4096 + b"stratus test image")
    image = embedded.openstack("image", "create", "--file", str(disk), "--disk-format", "raw",
                               "--container-format", "bare", "cli-image")
    assert image["name"] == "cli-image"
    shown = embedded.openstack("image", "show", "cli-image")
    assert shown["status"] == "active" and shown["size"] == disk.stat().st_size

    flavors = {f["Name"]: f for f in embedded.openstack("flavor", "list")}
    assert set(flavors) >= {"m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"}
    assert flavors["m1.tiny"]["RAM"] == 512

    private_key = tmp_path / "cli-key.pem"
    keypair = embedded.openstack("keypair", "create", "--private-key", str(private_key),
                                 "cli-key")
    assert keypair["name"] == "cli-key" and keypair["fingerprint"]
    assert private_key.read_text().startswith("-----BEGIN")

    server = embedded.openstack("server", "create", "--image", "cli-image", "--flavor",
                                "m1.tiny", "--key-name", "cli-key", "--wait", "cli-vm")
    assert server["status"] == "ACTIVE"
    assert server["OS-EXT-STS:power_state"] in ("Running", 1)

    listed = embedded.openstack("server", "list")
    assert [(s["Name"], s["Status"]) for s in listed] == [("cli-vm", "ACTIVE")]

    shown = embedded.openstack("server", "show", "cli-vm")
    assert shown["id"] == server["id"] and shown["key_name"] == "cli-key"

    hypervisors = embedded.openstack("hypervisor", "list")
    assert len(hypervisors) == hosts and {h["State"] for h in hypervisors} == {"up"}
    zones = embedded.openstack("availability", "zone", "list", "--compute")
    assert {(z["Zone Name"], z["Zone Status"]) for z in zones} == {
        ("nova", "available"), ("internal", "available")}  # admins see the internal zone
    services = embedded.openstack("compute", "service", "list")
    assert {s["Binary"] for s in services} == {"nova-compute", "nova-conductor",
                                              "nova-scheduler", "nova-network"}

    # Seed 5.4.6: usage statistics per project (the last four weeks to tomorrow).
    usages = embedded.openstack("usage", "list")
    assert [[s["name"] for s in u["Servers"]] for u in usages] == [["cli-vm"]], usages
    assert usages[0]["RAM MB-Hours"] == pytest.approx(512 * usages[0]["CPU Hours"])
    shown = embedded.openstack("usage", "show")
    assert [s["instance_id"] for s in shown["Servers"]] == [server["id"]], shown

    deleted = embedded.openstack_plain("server", "delete", "--wait", "cli-vm")
    assert deleted.returncode == 0, deleted.stderr
    assert embedded.openstack("server", "list") == []


def test_openstacksdk_boots_a_server(embedded: EmbeddedCloud, tmp_path: pathlib.Path) -> None:
    from openstack import config, connection

    region = config.OpenStackConfig(config_files=[str(embedded.clouds_yaml)]).get_one("stratus")
    conn = connection.Connection(config=region)
    data = tmp_path / "sdk.img"
    data.write_bytes(b"\x01" * 8192)
    image = conn.image.create_image(name="sdk-image", filename=str(data), disk_format="raw",
                                    container_format="bare", wait=True)
    assert conn.image.get_image(image.id).status == "active"
    flavor = conn.compute.find_flavor("m1.tiny")
    server = conn.compute.create_server(name="sdk-vm", image_id=image.id, flavor_id=flavor.id,
                                        networks="none")
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.5)
    assert server.status == "ACTIVE"
    assert [s.name for s in conn.compute.servers()] == ["sdk-vm"]
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=60, interval=0.5)
    assert list(conn.compute.servers()) == []


class _OscServer:
    """A server `<prefix>-vm` booted with `openstack` from a small raw image
    `<prefix>-image`, and the calls the CLI flows make on it."""

    def __init__(self, cloud: EmbeddedCloud, tmp_path: pathlib.Path, prefix: str) -> None:
        self.cloud, self.name = cloud, f"{prefix}-vm"
        disk = tmp_path / f"{prefix}.img"
        disk.write_bytes(b"\x00" * 4096)
        cloud.openstack("image", "create", "--file", str(disk), "--disk-format", "raw",
                        "--container-format", "bare", f"{prefix}-image")
        cloud.openstack("server", "create", "--image", f"{prefix}-image", "--flavor",
                        "m1.tiny", "--wait", self.name)

    def show(self) -> dict[str, object]:
        return dict(self.cloud.openstack("server", "show", self.name))

    def until(self, status: str) -> dict[str, object]:
        """The server once in `status` with no task (60 s at most)."""
        deadline = time.monotonic() + 60
        while (shown := self.show())["status"] != status or shown["OS-EXT-STS:task_state"]:
            assert time.monotonic() < deadline, shown
            time.sleep(0.2)
        return shown

    def run(self, *args: str) -> str:
        done = self.cloud.openstack_plain(*args)
        assert done.returncode == 0, (args, done.stderr)
        return str(done.stdout)


def test_openstack_cli_guards_mends_backs_up_and_shelves(embedded: EmbeddedCloud,
                                                          tmp_path: pathlib.Path) -> None:
    """The server actions of the conformance issue, as `openstack` runs them."""
    vm = _OscServer(embedded, tmp_path, "actions")
    osc, run, show, until = embedded.openstack, vm.run, vm.show, vm.until

    run("server", "lock", "actions-vm")
    assert show()["locked"] is True
    run("server", "unlock", "actions-vm")
    assert show()["locked"] is False

    run("server", "rescue", "actions-vm")
    until("RESCUE")
    run("server", "unrescue", "actions-vm")
    until("ACTIVE")

    run("server", "backup", "create", "--name", "nightly", "--type", "daily", "--rotate",
        "1", "--wait", "actions-vm")
    assert osc("image", "show", "nightly")["status"] == "active"

    run("server", "set", "--state", "error", "--auto-approve", "actions-vm")
    assert show()["status"] == "ERROR"
    run("server", "set", "--state", "active", "--auto-approve", "actions-vm")
    assert show()["status"] == "ACTIVE"

    run("server", "shelve", "--wait", "actions-vm")
    assert until("SHELVED_OFFLOADED")["OS-EXT-SRV-ATTR:host"] in (None, "")
    run("server", "unshelve", "--wait", "actions-vm")
    assert until("ACTIVE")["OS-EXT-SRV-ATTR:host"]

    run("server", "delete", "--wait", "actions-vm")
    run("image", "delete", "nightly", "actions-image")


def test_openstack_cli_resizes_migrates_and_restores(tmp_path: pathlib.Path) -> None:
    """Resize with confirm and revert, cold migration, the migrations list and restore of
    a deleted server, on two fake hosts with deferred delete, as `openstack` runs them."""
    cloud = EmbeddedCloud(tmp_path / "state", {"OS_FAKE__HOST_COUNT": "2",
                                               "OS_DEFAULT__RECLAIM_INSTANCE_INTERVAL": "3600"})
    cloud.start()
    try:
        _resize_migrate_restore(cloud, tmp_path)
    finally:
        cloud.stop()


def _resize_migrate_restore(cloud: EmbeddedCloud, tmp_path: pathlib.Path) -> None:
    vm = _OscServer(cloud, tmp_path, "moves")
    osc, run, show, until = cloud.openstack, vm.run, vm.show, vm.until

    first_host = show()["OS-EXT-SRV-ATTR:host"]
    run("server", "resize", "--flavor", "m1.small", "--wait", "moves-vm")
    resized = until("VERIFY_RESIZE")
    assert "m1.small" in str(resized["flavor"])
    assert resized["OS-EXT-SRV-ATTR:host"] != first_host
    run("server", "resize", "confirm", "moves-vm")
    until("ACTIVE")
    shrink = cloud.openstack_plain("server", "resize", "--flavor", "m1.tiny", "moves-vm")
    assert shrink.returncode != 0 and "Unable to resize disk down" in shrink.stderr

    run("server", "resize", "--flavor", "m1.medium", "--wait", "moves-vm")
    until("VERIFY_RESIZE")
    run("server", "resize", "revert", "moves-vm")
    reverted = until("ACTIVE")
    assert "m1.small" in str(reverted["flavor"])

    before = reverted["OS-EXT-SRV-ATTR:host"]
    run("server", "migrate", "--wait", "moves-vm")
    migrated = until("VERIFY_RESIZE")
    assert migrated["OS-EXT-SRV-ATTR:host"] != before
    run("server", "migrate", "confirm", "moves-vm")
    until("ACTIVE")
    migrations = osc("server", "migration", "list", "--server", "moves-vm")
    assert [(m["Type"], m["Status"]) for m in migrations] == [
        ("migration", "confirmed"), ("resize", "reverted"), ("resize", "confirmed")]

    # Deferred delete: the deleted server waits in SOFT_DELETED until restored.
    run("server", "delete", "moves-vm")
    until("SOFT_DELETED")
    run("server", "restore", "moves-vm")
    until("ACTIVE")
    run("server", "delete", "--force", "--wait", "moves-vm")
    assert osc("server", "list") == []
