"""/images: Nova's image proxy (the work is in compute_api/service/images.py).

Deprecated as Nova has it: /images and /images/detail, show and delete from 2.1 to 2.35,
the /images/{id}/metadata routes from 2.1 to 2.38; past those every route answers 404, as
Nova's do, before its body is read. Nova's image API has no policy of its own: the image
service's rules apply (see the service layer)."""
from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Body, Depends, Response
from oslo_utils import strutils

from compute_api import service
from compute_api.common import MAX_LIMIT, Req, iso, links, page, req
from compute_api.schemas import images as schemas
from stratus import exception
from stratus.api import validation
from stratus.config import CONF

IMAGES_MAX, METADATA_MAX = (2, 35), (2, 38)
# Glance status -> the status and progress Nova shows.
STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING", "deleted": "DELETED",
          "pending_delete": "DELETED", "killed": "ERROR"}
PROGRESS = {"queued": 25, "saving": 50, "active": 100}
_POSITIVE = re.compile(r"^[0-9]+$")


def _until(highest: tuple[int, int]) -> Any:
    def available(r: Req = Depends(req)) -> None:
        if r.version > highest:
            raise exception.NotFound("The resource could not be found.")
    return Depends(available)


router = APIRouter(prefix="/v2.1/images", dependencies=[_until(IMAGES_MAX)])
metadata_router = APIRouter(prefix="/v2.1/images/{image_id}/metadata",
                            dependencies=[_until(METADATA_MAX)])


# --- views -----------------------------------------------------------------------------

def image_links(image_id: str) -> list[dict[str, str]]:
    """self and bookmark, and the image in the image service (`alternate`)."""
    alternate = f"{CONF.image.public_endpoint.rstrip('/')}/images/{image_id}"
    return [*links("images", image_id),
            {"rel": "alternate", "type": "application/vnd.openstack.image",
             "href": alternate}]


def basic_view(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "links": image_links(row["id"])}


def view(row: dict[str, Any]) -> dict[str, Any]:
    """The image as Nova shows it: its properties as metadata, the server of a snapshot,
    OS-DCF:diskConfig when the image says auto_disk_config."""
    properties = dict(row["properties"] or {})
    body: dict[str, Any] = {
        "id": row["id"], "name": row["name"],
        "minRam": int(row["min_ram"] or 0), "minDisk": int(row["min_disk"] or 0),
        "metadata": properties,
        "created": iso(row["created_at"]), "updated": iso(row["updated_at"]),
        "status": STATUS.get(row["status"], "UNKNOWN"),
        "progress": PROGRESS.get(row["status"], 0),
        "OS-EXT-IMG-SIZE:size": row["size"] or 0,
        "links": image_links(row["id"]),
    }
    instance_uuid = properties.get("instance_uuid")
    if instance_uuid is not None:
        body["server"] = {"id": instance_uuid, "links": links("servers", instance_uuid)}
    auto_disk_config = properties.get("auto_disk_config")
    if auto_disk_config is not None:
        body["OS-DCF:diskConfig"] = ("AUTO" if strutils.bool_from_string(auto_disk_config)
                                     else "MANUAL")
    return body


# --- /images ---------------------------------------------------------------------------

def _positive(r: Req, key: str) -> int | None:
    """A paging parameter as Nova's query schema takes it: a positive integer."""
    raw = r.query.get(key)
    if raw is None:
        return None
    if not _POSITIVE.match(raw) or int(raw) < 1:
        raise exception.ValidationError(
            reason=f"Invalid input for query parameters {key}. Value: {raw[:64]}. "
                   f"It must be a positive integer.")
    return int(raw)


def _page(r: Req, name: str, shown: Any) -> dict[str, Any]:
    for key in ("page_size", "offset"):
        _positive(r, key)
    limit = min(_positive(r, "limit") or MAX_LIMIT, MAX_LIMIT)
    rows = service.list_images(r.ctx, service.image_filters(r.query), limit,
                               r.query.get("marker"))
    return page(r, name, [shown(row) for row in rows], rows, limit, "id")


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    return _page(r, "images", basic_view)


@router.get("/detail")
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    return _page(r, "images", view)


@router.get("/{image_id}")
def show(image_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    return {"image": view(service.get_image(r.ctx, image_id))}


@router.delete("/", status_code=204)
def delete_blank(r: Req = Depends(req)) -> Response:
    """An empty image id is an image that does not exist (not a redirect to /images)."""
    raise exception.ImageNotFound("Image not found.", image_id="")


@router.delete("/{image_id}", status_code=204)
def delete(image_id: str, r: Req = Depends(req)) -> Response:
    service.delete_image(r.ctx, image_id)
    return Response(status_code=204)


# --- /images/{id}/metadata -------------------------------------------------------------

@metadata_router.get("")
def metadata_index(image_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    return {"metadata": service.get_image(r.ctx, image_id)["properties"] or {}}


@metadata_router.post("")
@validation.schema(schemas.create)
def metadata_create(image_id: str, body: Any = Body(None),
                    r: Req = Depends(req)) -> dict[str, Any]:
    """Merge: the image's properties after the change."""
    row = service.get_image(r.ctx, image_id)
    return {"metadata": service.update_image_metadata(r.ctx, row, body["metadata"])}


@metadata_router.put("")
@validation.schema(schemas.update_all)
def metadata_update_all(image_id: str, body: Any = Body(None),
                        r: Req = Depends(req)) -> dict[str, Any]:
    """Replace: the body's metadata become all of the image's properties."""
    row = service.get_image(r.ctx, image_id)
    service.update_image_metadata(r.ctx, row, body["metadata"], replace=True)
    return {"metadata": body["metadata"]}


@metadata_router.get("/{key}")
def metadata_show(image_id: str, key: str, r: Req = Depends(req)) -> dict[str, Any]:
    row = service.get_image(r.ctx, image_id)
    return {"meta": {key: service.image_metadata_item(row, key)}}


@metadata_router.put("/{key}")
@validation.schema(schemas.update)
def metadata_update(image_id: str, key: str, body: Any = Body(None),
                    r: Req = Depends(req)) -> dict[str, Any]:
    if key not in body["meta"]:
        raise exception.Invalid("Request body and URI mismatch")
    row = service.get_image(r.ctx, image_id)
    service.update_image_metadata(r.ctx, row, body["meta"])
    return {"meta": body["meta"]}


@metadata_router.delete("/{key}", status_code=204)
def metadata_delete(image_id: str, key: str, r: Req = Depends(req)) -> Response:
    row = service.get_image(r.ctx, image_id)
    service.update_image_metadata(r.ctx, row, {}, deletes=[key])
    return Response(status_code=204)
