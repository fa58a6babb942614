"""`make tempest`: Tempest's compute API suite against a fresh embedded cloud.

Starts the embedded cloud (fake driver, several fake hosts) on free ports with a scratch
state directory, gives it two public images, writes a Tempest workspace whose
tempest.conf turns on the features Stratus has, runs the suite at concurrency 2 and
prints passed/failed/skipped with every failure. Exits 1 when fewer tests pass than the
floor recorded in tests/tempest/floor (raised as conformance improves, never lowered).
"""
from __future__ import annotations

import argparse
import collections
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import httpx
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.functional.embedded import EmbeddedCloud  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
FLOOR = HERE / "floor"
TEMPEST_BIN = ROOT / ".tempest-venv" / "bin"
FAKE_HOSTS = 5

# Feature flags as Stratus has them; a feature turns on here when it exists.
FEATURES = {
    "pause": True, "suspend": True, "console_output": True, "config_drive": True,
    "snapshot": True, "rescue": True, "resize": True, "shelve": True,
    "shelve_migrate": False, "cold_migration": True, "live_migration": False,
    "change_password": True, "interface_attach": False, "vnc_console": False,
    "spice_console": False, "serial_console": False, "personality": False,
    "attach_encrypted_volume": False, "metadata_service": False,
    "scheduler_enabled_filters": "all", "hostname_fqdn_sanitization": True,
}


def admin_auth(cloud: EmbeddedCloud) -> dict[str, str]:
    return yaml.safe_load(cloud.clouds_yaml.read_text())["clouds"]["stratus"]["auth"]


def admin_client(cloud: EmbeddedCloud, auth: dict[str, str]) -> httpx.Client:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": auth["username"], "password": auth["password"],
        "domain": {"id": "default"}}}},
        "scope": {"project": {"name": auth["project_name"], "domain": {"id": "default"}}}}}
    resp = httpx.post(cloud.identity_url + "/v3/auth/tokens", json=body)
    resp.raise_for_status()
    return httpx.Client(headers={"X-Auth-Token": resp.headers["X-Subject-Token"]},
                        timeout=30)


def public_image(cloud: EmbeddedCloud, client: httpx.Client, name: str) -> str:
    resp = client.post(cloud.image_url + "/v2/images", json={
        "name": name, "disk_format": "raw", "container_format": "bare",
        "visibility": "public"})
    resp.raise_for_status()
    image = resp.json()["id"]
    client.put(cloud.image_url + f"/v2/images/{image}/file", content=b"\0" * 65536,
               headers={"Content-Type": "application/octet-stream"}).raise_for_status()
    return image


def shared_network(cloud: EmbeddedCloud, client: httpx.Client) -> str:
    """A network every project sees (os-networks lists it): the nova-network tests look
    for one. Servers still get their project's own network (VlanManager)."""
    resp = client.post(cloud.compute_url + "/v2.1/os-networks", json={"network": {
        "label": "tempest-shared", "cidr": "192.168.100.0/24"}})
    resp.raise_for_status()
    return str(resp.json()["network"]["id"])


def tempest_conf(cloud: EmbeddedCloud, auth: dict[str, str], images: list[str],
                 network: str, log_dir: pathlib.Path) -> str:
    flags = "\n".join(f"{k} = {v}" for k, v in FEATURES.items())
    return f"""[DEFAULT]
log_dir = {log_dir}
log_file = tempest.log

[auth]
admin_username = {auth['username']}
admin_password = {auth['password']}
admin_project_name = {auth['project_name']}
admin_domain_name = Default
use_dynamic_credentials = True

[identity]
uri_v3 = {cloud.identity_url}/v3
auth_version = v3
region = RegionOne
admin_role = admin

[identity-feature-enabled]
api_v2 = False

[compute]
image_ref = {images[0]}
image_ref_alt = {images[1]}
flavor_ref = 1
flavor_ref_alt = 2
min_compute_nodes = 2
min_microversion = 2.1
max_microversion = latest
build_timeout = 60
build_interval = 1
ready_wait = 0

[compute-feature-enabled]
{flags}

[image-feature-enabled]
api_v1 = False

[service_available]
nova = True
glance = True
neutron = False
cinder = False
swift = False
heat = False

[network]
public_network_id = {network}

[validation]
run_validation = False

[oslo_concurrency]
lock_path = {log_dir}/locks
"""


def run_tempest(workspace: pathlib.Path, regex: str, concurrency: int) -> dict[str, str]:
    subprocess.run([str(TEMPEST_BIN / "tempest"), "run", "--regex", regex,
                    "--config-file", str(workspace / "etc" / "tempest.conf"),
                    "--concurrency", str(concurrency)], cwd=workspace, check=False)
    stream = subprocess.run([str(TEMPEST_BIN / "stestr"), "last", "--subunit"],
                            cwd=workspace, capture_output=True, check=True).stdout
    parsed = subprocess.run([str(TEMPEST_BIN / "python"), str(HERE / "results.py")],
                            input=stream, capture_output=True, check=True).stdout
    return json.loads(parsed)


def outcome(status: str) -> str:
    if status.startswith("skip"):
        return "skipped"
    return "passed" if status in ("success", "xfail") else "failed"


def summarize(statuses: dict[str, str]) -> collections.Counter[str]:
    counts: collections.Counter[str] = collections.Counter()
    for status in statuses.values():
        counts[outcome(status)] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regex", default=r"^tempest\.api\.compute\.")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--results", type=pathlib.Path, default=ROOT / ".tempest-results.json",
                        help="where to write {test: status}")
    parser.add_argument("--no-floor", action="store_true", help="do not check the floor")
    args = parser.parse_args()

    state = pathlib.Path(tempfile.mkdtemp(prefix="stratus-tempest-"))
    cloud = EmbeddedCloud(state / "cloud", extra_env={
        "OS_COMPUTE__VIRT_DRIVER": "fake", "OS_FAKE__HOST_COUNT": str(FAKE_HOSTS)})
    started = time.monotonic()
    cloud.start()
    try:
        auth = admin_auth(cloud)
        with admin_client(cloud, auth) as client:
            images = [public_image(cloud, client, name) for name in ("tempest", "tempest-alt")]
            network = shared_network(cloud, client)
        workspace = state / "workspace"
        # A registry of its own, so runs never clash over a workspace name in ~/.tempest.
        subprocess.run([str(TEMPEST_BIN / "tempest"), "init", "--name", state.name,
                        "--workspace-path", str(state / "workspaces.yaml"), str(workspace)],
                       check=True, capture_output=True)
        (workspace / "etc" / "tempest.conf").write_text(
            tempest_conf(cloud, auth, images, network, workspace / "logs"))
        statuses = run_tempest(workspace, args.regex, args.concurrency)
    finally:
        cloud.stop()
    args.results.write_text(json.dumps(statuses, indent=1, sort_keys=True) + "\n")
    counts = summarize(statuses)
    print("\nFailed:")
    for name, status in sorted(statuses.items()):
        if outcome(status) == "failed":
            print(f"  {name}\n      {status.removeprefix('fail: ')[:300]}")
    print(f"\nTempest {args.regex}: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['skipped']} skipped in {time.monotonic() - started:.0f} s "
          f"(results in {args.results}, cloud log {cloud.log})")
    floor = int(FLOOR.read_text().split()[0])
    if not args.no_floor and counts["passed"] < floor:
        print(f"FAIL: {counts['passed']} passed is below the floor of {floor} ({FLOOR})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
