"""Image records and their data: creating, listing, patching and deleting records,
uploads (queued -> saving -> active, or back to queued) and downloads."""
from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from image_api import schemas, store
from image_api.service.clients import conductor
from stratus import exception
from stratus.api.validation import validate
from stratus.config import CONF
from stratus.context import RequestContext

QUEUED, SAVING, ACTIVE = "queued", "saving", "active"


# --- image documents: a record as the flat JSON clients send and patch ----------------

def check_read_only(body: dict[str, Any]) -> None:
    for key in body:
        if key in schemas.READ_ONLY:
            raise exception.Forbidden(f"Attribute '{key}' is read-only.")


def property_names(doc: dict[str, Any]) -> list[str]:
    return [k for k in doc if k not in schemas.BASE_ATTRS]


def check_properties(doc: dict[str, Any], before: int = 0) -> None:
    """Glance's limits on additional properties: names of 1-255 characters without NUL,
    and no more than [image] image_property_quota of them (unless there were already
    `before` of them: a quota lowered later does not lock existing images)."""
    names = property_names(doc)
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


def split(doc: dict[str, Any]) -> dict[str, Any]:
    """Row values from a flat image document."""
    values = {k: v for k, v in doc.items() if k in schemas.BASE_ATTRS}
    values["properties"] = {k: v for k, v in doc.items() if k not in schemas.BASE_ATTRS}
    return values


def as_document(row: dict[str, Any]) -> dict[str, Any]:
    """Attributes a JSON patch applies to: base attributes plus properties."""
    doc = {key: row[key] for key in schemas.BASE_ATTRS}
    doc["tags"] = list(row["tags"] or [])
    doc.update(row["properties"] or {})
    return doc


def apply_patch(doc: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    """`doc` changed by the JSON patch operations (a copy: `doc` is left as it was)."""
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


def new_document(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    """The document of a new image from a (schema-valid) create body: shared unless it
    says otherwise, owned by the caller's project (only admins give it another owner)."""
    check_properties(body)
    doc = {"visibility": "shared", **body}
    doc.setdefault("owner", ctx.project_id)
    if doc["owner"] != ctx.project_id and not ctx.is_admin:
        raise exception.Forbidden("You are not permitted to create images owned by "
                                  f"'{doc['owner']}'.")
    return doc


def patched_document(row: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    """The document of the image `row` once the JSON patch is applied, refused unless it
    is still a valid image within the property limits."""
    original = as_document(row)
    doc = apply_patch(original, ops)
    doc["tags"] = doc.get("tags") or []
    validate({k: v for k, v in doc.items() if v is not None or k in schemas.BASE_ATTRS},
             schemas.image)
    check_properties(doc, before=len(property_names(original)))
    return doc


# --- records -----------------------------------------------------------------------------

def get_image(ctx: RequestContext, image_id: str) -> dict[str, Any]:
    row: dict[str, Any] = conductor.image_get(ctx, image_id=image_id)
    return row


def list_images(ctx: RequestContext, filters: dict[str, Any], sort: list[tuple[str, str]],
                limit: int, marker: str | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = conductor.image_list(ctx, filters=filters, sort=sort,
                                                      limit=limit, marker=marker)
    return rows


def create_image(ctx: RequestContext, doc: dict[str, Any]) -> dict[str, Any]:
    """A queued record (no data yet) for the document of new_document."""
    row: dict[str, Any] = conductor.image_create(ctx, values={**split(doc), "status": QUEUED})
    return row


def update_image(ctx: RequestContext, image_id: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The record changed to the document of patched_document (its id and owner stay)."""
    values = split(doc)
    values.pop("owner", None)
    values.pop("id", None)
    row: dict[str, Any] = conductor.image_update(ctx, image_id=image_id, values=values)
    return row


def delete_image(ctx: RequestContext, image_id: str) -> None:
    """The record, then its data."""
    conductor.image_delete(ctx, image_id=image_id)
    store.delete(image_id)


# --- data ----------------------------------------------------------------------------------

def begin_upload(ctx: RequestContext, image_id: str, row: dict[str, Any]) -> store.Upload:
    """Start taking the data of the queued image `row` (now saving): where to write it."""
    if not row["disk_format"] or not row["container_format"]:
        raise exception.Invalid("Properties disk_format, container_format must be set prior "
                                "to saving data.")
    conductor.image_update(ctx, image_id=image_id, values={"status": SAVING},
                           expected_status=[QUEUED])
    return store.Upload(image_id, CONF.image.image_size_cap)


def abandon_upload(ctx: RequestContext, image_id: str, upload: store.Upload) -> None:
    """A failed upload: its partial data removed, the image queued again (as Glance)."""
    upload.abort()
    conductor.image_update(ctx, image_id=image_id, values={"status": QUEUED},
                           expected_status=[SAVING])


def finish_upload(ctx: RequestContext, image_id: str, upload: store.Upload) -> dict[str, Any]:
    """All the data came: stored (else abandoned), the image active with its size and
    hashes; the data removed again if the image was deleted meanwhile."""
    try:
        result = upload.commit()
    except BaseException:
        abandon_upload(ctx, image_id, upload)
        raise
    try:
        row: dict[str, Any] = conductor.image_update(
            ctx, image_id=image_id, values={**result, "status": ACTIVE},
            expected_status=[SAVING])
    except exception.ImageNotFound:
        # Deleted while its data came (here, or through the compute API's image proxy,
        # whose scrubber may already have been by): nothing of it is kept.
        store.delete(image_id)
        raise
    return row


def image_data(image_id: str, row: dict[str, Any]) -> tuple[int, Iterator[bytes]] | None:
    """The size and the bytes of the data of the image `row`; None unless it is active
    with data."""
    size = store.size_of(image_id)
    if row["status"] != ACTIVE or size is None:
        return None
    return size, store.read(image_id)
