"""Upload the test guest to a cloud's image service as kernel, ramdisk and disk images."""
from __future__ import annotations

import pathlib
from typing import Any

import httpx
import yaml

from stratus_tools.guest.builder import COMMAND_LINE, GuestFiles


def session_from_clouds_yaml(path: pathlib.Path, cloud: str = "stratus") -> tuple[
        httpx.Client, str]:
    """An authenticated client and the public image endpoint of `cloud`."""
    auth = yaml.safe_load(path.read_text())["clouds"][cloud]["auth"]
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": auth["username"], "password": auth["password"],
        "domain": {"id": auth.get("user_domain_id", "default")}}}},
        "scope": {"project": {"name": auth["project_name"],
                              "domain": {"id": auth.get("project_domain_id", "default")}}}}}
    resp = httpx.post(auth["auth_url"].rstrip("/") + "/auth/tokens", json=body, timeout=30)
    resp.raise_for_status()
    catalog = resp.json()["token"]["catalog"]
    image = [e["url"] for s in catalog if s["type"] == "image" for e in s["endpoints"]
             if e["interface"] == "public"][0]
    client = httpx.Client(headers={"X-Auth-Token": resp.headers["X-Subject-Token"]},
                          timeout=300)
    return client, image.rstrip("/")


def _upload(client: httpx.Client, endpoint: str, path: pathlib.Path,
            meta: dict[str, Any]) -> str:
    resp = client.post(f"{endpoint}/v2/images", json=meta)
    resp.raise_for_status()
    image_id = str(resp.json()["id"])
    with open(path, "rb") as f:
        client.put(f"{endpoint}/v2/images/{image_id}/file", content=f,
                   headers={"Content-Type": "application/octet-stream"}).raise_for_status()
    return image_id


def upload(client: httpx.Client, endpoint: str, files: GuestFiles,
           name: str = "stratus-test-guest", visibility: str = "public") -> dict[str, str]:
    """Kernel, ramdisk and a bootable qcow2 disk that names both; their IDs."""
    kernel = _upload(client, endpoint, files.kernel, {
        "name": f"{name}-kernel", "disk_format": "aki", "container_format": "aki",
        "visibility": visibility})
    ramdisk = _upload(client, endpoint, files.initrd, {
        "name": f"{name}-ramdisk", "disk_format": "ari", "container_format": "ari",
        "visibility": visibility})
    disk = _upload(client, endpoint, files.disk, {
        "name": name, "disk_format": "qcow2", "container_format": "bare",
        "visibility": visibility, "kernel_id": kernel, "ramdisk_id": ramdisk,
        "os_command_line": COMMAND_LINE, "hw_disk_bus": "virtio"})
    return {"kernel": kernel, "ramdisk": ramdisk, "disk": disk}
