"""The compute agent's client of the image API: metadata, download and upload."""
from __future__ import annotations

import hashlib
import pathlib
from typing import Any

import httpx

from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext

CHUNK = 1024 * 1024


def _url(image_id: str) -> str:
    return f"{CONF.image.public_endpoint.rstrip('/')}/v2/images/{image_id}"


def _headers(ctx: RequestContext) -> dict[str, str]:
    return {"X-Auth-Token": ctx.auth_token or ""}


def metadata(ctx: RequestContext, image_id: str) -> dict[str, Any]:
    resp = httpx.get(_url(image_id), headers=_headers(ctx), timeout=30)
    if resp.status_code == 404:
        raise exception.ImageNotFound(image_id=image_id)
    resp.raise_for_status()
    return dict(resp.json())


def download(ctx: RequestContext, image_id: str, path: pathlib.Path) -> None:
    """Write the image's data to `path` (via a partial file), checked against its md5."""
    partial = path.with_suffix(".part")
    md5 = hashlib.md5(usedforsecurity=False)
    with httpx.stream("GET", _url(image_id) + "/file", headers=_headers(ctx),
                      timeout=300) as resp:
        if resp.status_code != 200:
            raise exception.Invalid(
                f"Image {image_id} could not be downloaded: HTTP {resp.status_code}")
        expected = resp.headers.get("Content-MD5")
        with open(partial, "wb") as f:
            for chunk in resp.iter_bytes(CHUNK):
                md5.update(chunk)
                f.write(chunk)
    if expected and md5.hexdigest() != expected:
        partial.unlink()
        raise exception.Invalid(f"Image {image_id} arrived corrupted (checksum mismatch).")
    partial.rename(path)


def upload(ctx: RequestContext, image_id: str, path: pathlib.Path) -> None:
    with open(path, "rb") as f:
        resp = httpx.put(_url(image_id) + "/file", content=f, timeout=600,
                         headers={**_headers(ctx), "Content-Type": "application/octet-stream"})
    if resp.status_code != 204:
        raise exception.StratusError(f"Upload of image {image_id} failed: HTTP "
                                     f"{resp.status_code} {resp.text[:200]}")


def set_disk_format(ctx: RequestContext, image_id: str, disk_format: str) -> None:
    resp = httpx.patch(_url(image_id), timeout=30, json=[
        {"op": "replace", "path": "/disk_format", "value": disk_format}],
        headers={**_headers(ctx),
                 "Content-Type": "application/openstack-images-v2.1-json-patch"})
    resp.raise_for_status()


def rotate_backups(ctx: RequestContext, instance_uuid: str, backup_type: str,
                   rotation: int, newest: str) -> list[str]:
    """Delete the instance's backups of `backup_type` beyond the `rotation` newest
    (`newest` first, then by creation time); returns the ids deleted."""
    resp = httpx.get(f"{CONF.image.public_endpoint.rstrip('/')}/v2/images", timeout=30,
                     headers=_headers(ctx), params={
                         "instance_uuid": instance_uuid, "image_type": "backup",
                         "backup_type": backup_type, "sort_key": "created_at",
                         "sort_dir": "desc", "limit": 1000})
    resp.raise_for_status()
    found = [i["id"] for i in resp.json()["images"]]
    ordered = [newest] + [i for i in found if i != newest] if newest in found else found
    excess = ordered[rotation:]
    for image_id in excess:
        delete(ctx, image_id)
    return excess


def delete(ctx: RequestContext, image_id: str) -> None:
    httpx.delete(_url(image_id), headers=_headers(ctx), timeout=30)
