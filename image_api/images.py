"""/v2/images: create, list, show, patch, delete, upload and download."""
from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from conductor.rpcapi import ConductorAPI
from image_api import schemas, store, views
from stratus import exception, policy
from stratus.api import auth
from stratus.api.errors import error_response
from stratus.api.validation import validate
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.rpc import SharedClient

router = APIRouter(prefix="/v2/images")
conductor = SharedClient(ConductorAPI)
Ctx = Depends(auth.get_project_context)
PATCH_TYPES = ("application/openstack-images-v2.1-json-patch",
               "application/json-patch+json")
DEFAULT_LIMIT, MAX_LIMIT = 25, 1000
MAX_SIZE = 2**63 - 1  # a BIGINT column: the largest size SQL can compare


def _target(ctx: RequestContext, row: dict[str, Any] | None = None) -> dict[str, Any]:
    owner = row["owner"] if row else ctx.project_id
    return {"owner": owner, "project_id": owner}


def _check_read_only(body: dict[str, Any]) -> None:
    for key in body:
        if key in schemas.READ_ONLY:
            raise exception.Forbidden(f"Attribute '{key}' is read-only.")


def _authorize_visibility(ctx: RequestContext, visibility: str | None,
                          target: dict[str, Any]) -> None:
    if visibility == "public":
        policy.authorize(ctx, "publicize_image", target)


def _property_names(doc: dict[str, Any]) -> list[str]:
    return [k for k in doc if k not in schemas.BASE_ATTRS]


def _check_properties(doc: dict[str, Any], before: int = 0) -> None:
    """Glance's limits on additional properties: names of 1-255 characters without NUL,
    and no more than [image] image_property_quota of them (unless there were already
    `before` of them: a quota lowered later does not lock existing images)."""
    names = _property_names(doc)
    for name in names:
        if not 0 < len(name) <= schemas.MAX_PROPERTY_LENGTH or "\0" in name:
            raise exception.ValidationError(
                reason=f"Invalid property name {name[:64]!r}: a name has 1 to "
                       f"{schemas.MAX_PROPERTY_LENGTH} characters, none of them NUL.")
    quota = CONF.image.image_property_quota
    if 0 <= quota < len(names) and len(names) > before:
        raise exception.RequestTooLarge(
            reason=f"The limit has been exceeded on the number of allowed image "
                   f"properties. Attempted: {len(names)}, Maximum: {quota}")


def _split(doc: dict[str, Any]) -> dict[str, Any]:
    """Row values from a flat image document."""
    values = {k: v for k, v in doc.items() if k in schemas.BASE_ATTRS}
    values["properties"] = {k: v for k, v in doc.items() if k not in schemas.BASE_ATTRS}
    return values


@router.post("", status_code=201)
def create(body: Any = Body(None), ctx: RequestContext = Ctx) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise exception.ValidationError(reason="The request body must be a JSON object.")
    _check_read_only(body)
    validate(body, schemas.image)
    _check_properties(body)
    doc = {"visibility": "shared", **body}
    doc.setdefault("owner", ctx.project_id)
    if doc["owner"] != ctx.project_id and not ctx.is_admin:
        raise exception.Forbidden("You are not permitted to create images owned by "
                                  f"'{doc['owner']}'.")
    target = {"owner": doc["owner"], "project_id": doc["owner"]}
    policy.authorize(ctx, "add_image", target)
    _authorize_visibility(ctx, doc["visibility"], target)
    return views.image(conductor.image_create(ctx, values={**_split(doc),
                                                           "status": "queued"}))


def _filters(request: Request) -> dict[str, Any]:
    params = request.query_params
    filters: dict[str, Any] = {}
    for key in ("name", "status", "visibility", "owner", "disk_format", "container_format"):
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
    rows = conductor.image_list(ctx, filters=_filters(request), sort=_sort(request),
                                limit=limit, marker=request.query_params.get("marker"))
    body: dict[str, Any] = {"images": [views.image(r) for r in rows],
                            "first": "/v2/images", "schema": "/v2/schemas/images"}
    if rows and len(rows) == limit:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "marker"]
        query = "&".join(f"{k}={v}" for k, v in [*params, ("marker", rows[-1]["id"])])
        body["next"] = f"/v2/images?{query}"
    return body


@router.get("/{image_id}")
def show(image_id: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
    row = conductor.image_get(ctx, image_id=image_id)
    policy.authorize(ctx, "get_image", _target(ctx, row))
    return views.image(row)


def _apply(doc: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for op in ops:
        path = op["path"][1:]
        if path.split("/")[0] in schemas.READ_ONLY:
            raise exception.Forbidden(f"Attribute '{path.split('/')[0]}' is read-only.")
        if path == "id" or path == "owner":
            raise exception.Forbidden(f"Attribute '{path}' is read-only.")
        if path.startswith("tags/"):
            if op["op"] == "remove":
                doc["tags"] = [t for t in doc["tags"] if t != path[5:]]
            else:
                doc["tags"] = [*doc["tags"], op.get("value")]
            continue
        if op["op"] == "remove":
            if path not in doc:
                raise exception.Conflict(reason=f"Property {path} does not exist.")
            if path in schemas.BASE_ATTRS:
                raise exception.Forbidden(f"Attribute '{path}' cannot be removed.")
            del doc[path]
        elif op["op"] == "replace" and path not in doc:
            raise exception.Conflict(reason=f"Property {path} does not exist.")
        else:
            if "value" not in op:
                raise exception.ValidationError(reason=f"Operation {op['op']} needs a value.")
            doc[path] = op["value"]
    return doc


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
    row = conductor.image_get(ctx, image_id=image_id)
    target = _target(ctx, row)
    policy.authorize(ctx, "modify_image", target)
    original = views.as_document(row)
    doc = _apply(original, body)
    doc["tags"] = doc.get("tags") or []
    validate({k: v for k, v in doc.items() if v is not None or k in schemas.BASE_ATTRS},
             schemas.image)
    _check_properties(doc, before=len(_property_names(original)))
    if doc["visibility"] != row["visibility"]:
        _authorize_visibility(ctx, doc["visibility"], target)
    values = _split(doc)
    values.pop("owner", None)
    values.pop("id", None)
    return views.image(conductor.image_update(ctx, image_id=image_id, values=values))


@router.delete("/{image_id}", status_code=204)
def delete(image_id: str, ctx: RequestContext = Ctx) -> Response:
    row = conductor.image_get(ctx, image_id=image_id)
    policy.authorize(ctx, "delete_image", _target(ctx, row))
    conductor.image_delete(ctx, image_id=image_id)
    store.delete(image_id)
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
    row = await run_in_threadpool(conductor.image_get, ctx, image_id=image_id)
    policy.authorize(ctx, "upload_image", _target(ctx, row))
    _check_upload_type(request)
    if not row["disk_format"] or not row["container_format"]:
        raise exception.Invalid("Properties disk_format, container_format must be set prior "
                                "to saving data.")
    await run_in_threadpool(conductor.image_update, ctx, image_id=image_id,
                            values={"status": "saving"}, expected_status=["queued"])
    upload = store.Upload(image_id, CONF.image.image_size_cap)
    try:
        await _receive(request, upload)
        result = upload.commit()
    except UploadTimeout as e:
        await _abandon(ctx, image_id, upload)
        # The rest of the body may never come: the connection ends with the reply.
        return error_response("nova", 400, str(e), headers={"Connection": "close"})
    except BaseException:
        await _abandon(ctx, image_id, upload)
        raise
    await run_in_threadpool(conductor.image_update, ctx, image_id=image_id,
                            values={**result, "status": "active"}, expected_status=["saving"])
    return Response(status_code=204)


async def _abandon(ctx: RequestContext, image_id: str, upload: store.Upload) -> None:
    """A failed upload: its partial data removed, the image queued again (as Glance)."""
    upload.abort()
    await run_in_threadpool(conductor.image_update, ctx, image_id=image_id,
                            values={"status": "queued"}, expected_status=["saving"])


@router.get("/{image_id}/file")
def download(image_id: str, ctx: RequestContext = Ctx) -> Response:
    row = conductor.image_get(ctx, image_id=image_id)
    policy.authorize(ctx, "download_image", _target(ctx, row))
    size = store.size_of(image_id)
    if row["status"] != "active" or size is None:
        return Response(status_code=204)
    headers = {"Content-Length": str(size), "Content-MD5": row["checksum"] or ""}
    return StreamingResponse(store.read(image_id), media_type="application/octet-stream",
                             headers=headers)
