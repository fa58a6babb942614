"""/v2/images: create, list, show, patch, delete, upload and download (the work is in
image_api/service)."""
from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from image_api import schemas, service, store, views
from stratus import exception, policy
from stratus.api import auth
from stratus.api.errors import error_response
from stratus.api.validation import validate
from stratus.config import CONF
from stratus.context import RequestContext

router = APIRouter(prefix="/v2/images")
Ctx = Depends(auth.get_project_context)
PATCH_TYPES = ("application/openstack-images-v2.1-json-patch",
               "application/json-patch+json")
DEFAULT_LIMIT, MAX_LIMIT = 25, 1000
MAX_SIZE = 2**63 - 1  # a BIGINT column: the largest size SQL can compare


def _target(ctx: RequestContext, row: dict[str, Any] | None = None) -> dict[str, Any]:
    owner = row["owner"] if row else ctx.project_id
    return {"owner": owner, "project_id": owner}


def _authorize_visibility(ctx: RequestContext, visibility: str | None,
                          target: dict[str, Any]) -> None:
    if visibility == "public":
        policy.authorize(ctx, "publicize_image", target)


@router.post("", status_code=201)
def create(body: Any = Body(None), ctx: RequestContext = Ctx) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise exception.ValidationError(reason="The request body must be a JSON object.")
    service.check_read_only(body)
    validate(body, schemas.image)
    doc = service.new_document(ctx, body)
    target = {"owner": doc["owner"], "project_id": doc["owner"]}
    policy.authorize(ctx, "add_image", target)
    _authorize_visibility(ctx, doc["visibility"], target)
    return views.image(service.create_image(ctx, doc))


_EXACT = ("name", "status", "visibility", "owner", "disk_format", "container_format")
# Query parameters that are not property filters (any other one is, as in Glance:
# ?instance_uuid=X matches images whose instance_uuid property is X).
_NOT_PROPERTIES = {*_EXACT, "os_hidden", "protected", "size_min", "size_max", "tag", "limit",
                   "marker", "sort", "sort_key", "sort_dir", "member_status"}


def _filters(request: Request) -> dict[str, Any]:
    params = request.query_params
    filters: dict[str, Any] = {}
    for key in _EXACT:
        if params.get(key):
            filters[key] = params[key]
    for key in ("os_hidden", "protected"):
        if params.get(key):
            filters[key] = params[key].lower() == "true"
    filters.setdefault("os_hidden", False)
    for key in ("size_min", "size_max"):
        if params.get(key):
            filters[key] = _size_param(key, params[key])
    if params.getlist("tag"):
        filters["tag"] = params.getlist("tag")
    properties = {k: v for k, v in params.items() if k not in _NOT_PROPERTIES}
    if properties:
        filters["properties"] = properties
    return filters


def _size_param(key: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise exception.Invalid(f"{key} must be an integer") from None
    if not 0 <= value <= MAX_SIZE:
        raise exception.Invalid(f"{key} must be an integer from 0 to {MAX_SIZE}")
    return value


def _sort(request: Request) -> list[tuple[str, str]]:
    params = request.query_params
    if params.get("sort"):
        pairs = []
        for item in params["sort"].split(","):
            key, _, direction = item.strip().partition(":")
            pairs.append((key, direction or "desc"))
    else:
        keys = params.getlist("sort_key") or ["created_at"]
        dirs = params.getlist("sort_dir") or ["desc"]
        pairs = [(k, dirs[min(i, len(dirs) - 1)]) for i, k in enumerate(keys)]
    for key, direction in pairs:
        if key not in {"name", "status", "container_format", "disk_format", "size", "id",
                       "created_at", "updated_at", "visibility", "owner", "min_disk",
                       "min_ram"}:
            raise exception.Invalid(f"Invalid sort key: {key}")
        if direction not in ("asc", "desc"):
            raise exception.Invalid(f"Invalid sort direction: {direction}")
    return pairs


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(raw)
    except ValueError:
        raise exception.Invalid("limit param must be an integer") from None
    if limit < 0:
        raise exception.Invalid("limit param must be positive")
    return min(limit, MAX_LIMIT)


@router.get("")
def index(request: Request, ctx: RequestContext = Ctx) -> dict[str, Any]:
    policy.authorize(ctx, "get_images", _target(ctx))
    limit = _limit(request)
    rows = service.list_images(ctx, _filters(request), _sort(request), limit,
                               request.query_params.get("marker"))
    body: dict[str, Any] = {"images": [views.image(r) for r in rows],
                            "first": "/v2/images", "schema": "/v2/schemas/images"}
    if rows and len(rows) == limit:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "marker"]
        query = "&".join(f"{k}={v}" for k, v in [*params, ("marker", rows[-1]["id"])])
        body["next"] = f"/v2/images?{query}"
    return body


@router.get("/{image_id}")
def show(image_id: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
    row = service.get_image(ctx, image_id)
    policy.authorize(ctx, "get_image", _target(ctx, row))
    return views.image(row)


@router.get("/{image_id}/tasks")
def tasks(image_id: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
    """The image's import tasks (Glance 2.12). Uploads here are direct (no interoperable
    import), so an image never has any; clients waiting on them go straight on."""
    row = service.get_image(ctx, image_id)
    policy.authorize(ctx, "get_image", _target(ctx, row))
    return {"tasks": []}


@router.patch("/{image_id}")
async def update(image_id: str, request: Request,
                 ctx: RequestContext = Ctx) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in PATCH_TYPES:
        raise exception.UnsupportedMediaType(
            reason=f"Unsupported Content-Type: use {PATCH_TYPES[0]}")
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise exception.ValidationError(reason="The request body is not JSON.") from None
    return await run_in_threadpool(_patch, ctx, image_id, body)


def _patch(ctx: RequestContext, image_id: str, body: Any) -> dict[str, Any]:
    validate(body, schemas.patch)
    row = service.get_image(ctx, image_id)
    target = _target(ctx, row)
    policy.authorize(ctx, "modify_image", target)
    doc = service.patched_document(row, body)
    if doc["visibility"] != row["visibility"]:
        _authorize_visibility(ctx, doc["visibility"], target)
    return views.image(service.update_image(ctx, image_id, doc))


@router.delete("/{image_id}", status_code=204)
def delete(image_id: str, ctx: RequestContext = Ctx) -> Response:
    row = service.get_image(ctx, image_id)
    policy.authorize(ctx, "delete_image", _target(ctx, row))
    service.delete_image(ctx, image_id)
    return Response(status_code=204)


class UploadTimeout(Exception):
    """No data came for [image] upload_read_timeout seconds."""


async def _receive(request: Request, upload: store.Upload) -> None:
    """The body into `upload`, each wait for data bounded by upload_read_timeout."""
    timeout = CONF.image.upload_read_timeout
    chunks = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(chunks.__anext__(), timeout)
        except StopAsyncIteration:
            return
        except asyncio.TimeoutError:
            raise UploadTimeout(f"The upload stopped: no data came for {timeout:g} "
                                f"seconds before the body was complete.") from None
        upload.write(chunk)


def _check_upload_type(request: Request) -> None:
    content_type = request.headers.get("content-type")
    if content_type is None:
        return
    if content_type.split(";")[0].strip().lower() != "application/octet-stream":
        raise exception.UnsupportedMediaType(
            reason=f"Content-Type {content_type[:64]} is not supported for image data: "
                   f"use application/octet-stream.")


@router.put("/{image_id}/file", status_code=204)
async def upload(image_id: str, request: Request, ctx: RequestContext = Ctx) -> Response:
    row = await run_in_threadpool(service.get_image, ctx, image_id)
    policy.authorize(ctx, "upload_image", _target(ctx, row))
    _check_upload_type(request)
    upload = await run_in_threadpool(service.begin_upload, ctx, image_id, row)
    try:
        await _receive(request, upload)
    except UploadTimeout as e:
        await run_in_threadpool(service.abandon_upload, ctx, image_id, upload)
        # The rest of the body may never come: the connection ends with the reply.
        return error_response("nova", 400, str(e), headers={"Connection": "close"})
    except BaseException:
        await run_in_threadpool(service.abandon_upload, ctx, image_id, upload)
        raise
    await run_in_threadpool(service.finish_upload, ctx, image_id, upload)
    return Response(status_code=204)


@router.get("/{image_id}/file")
def download(image_id: str, ctx: RequestContext = Ctx) -> Response:
    row = service.get_image(ctx, image_id)
    policy.authorize(ctx, "download_image", _target(ctx, row))
    data = service.image_data(image_id, row)
    if data is None:
        return Response(status_code=204)
    size, chunks = data
    headers = {"Content-Length": str(size), "Content-MD5": row["checksum"] or ""}
    return StreamingResponse(chunks, media_type="application/octet-stream", headers=headers)
