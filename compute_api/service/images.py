"""Nova's image proxy, behind the /images handlers (deprecated: 2.1 to 2.35, the metadata
routes to 2.38). Nova hands these requests to Glance with the caller's token; here they
reach the conductor's image domain, and the image service's own rules hold as Glance
would apply them: its policies (get_images, get_image, modify_image, delete_image, with
the image's owner as target), what a caller may see, reserved and protected attributes,
the property quota. Nova itself adds only the metadata_items quota on image metadata."""
from __future__ import annotations

import datetime
from typing import Any

from compute_api.service.clients import conductor
from stratus import exception, policy
from stratus.api.validation import MAX_INT
from stratus.context import RequestContext

# Query parameter -> conductor image_list filter (Nova's SUPPORTED_FILTERS as Glance v2
# reads them); `server` and `type` are image properties.
FILTERS = {"name": "name", "status": "status", "changes-since": "updated_at_min",
           "minRam": "min_ram", "minDisk": "min_disk"}
PROPERTY_FILTERS = {"server": "instance_uuid", "type": "image_type"}
PROPERTY_PREFIX = "property-"
# Glance lists newest first.
SORT = [("created_at", "desc")]


def image_target(row: dict[str, Any]) -> dict[str, Any]:
    """The target of the image service's policies for the image `row`."""
    return {"owner": row["owner"], "project_id": row["owner"]}


def check_image_rule(ctx: RequestContext, rule: str, row: dict[str, Any] | None,
                     message: str) -> None:
    """The image service's policy `rule` (for `row`, else the caller's images), refused
    with `message` as Nova relays Glance's 403."""
    target = image_target(row) if row else {"owner": ctx.project_id,
                                             "project_id": ctx.project_id}
    try:
        policy.authorize(ctx, rule, target)
    except exception.PolicyNotAuthorized:
        raise exception.Forbidden(message) from None


def _time(key: str, raw: str) -> str:
    """An ISO 8601 time as the naive UTC text the conductor compares; Invalid otherwise."""
    try:
        parsed = datetime.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise exception.Invalid(f'Bad "{key}" query filter format. Use ISO 8601 DateTime '
                                f'notation.') from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed.isoformat()


def _integer(key: str, raw: str) -> int:
    """A min_ram/min_disk filter: what their INT columns hold, 0 to 2**31-1."""
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_INT:
        raise exception.Invalid(f"{key} must be an integer from 0 to {MAX_INT}.")
    return value


def image_filters(query: Any) -> dict[str, Any]:
    """The conductor filters of a GET /images query (each parameter's last value): the
    status in Glance's lower case, `server` as the instance uuid (the last part of a
    server link), `property-<name>` for any property; hidden images left out, as Glance
    lists them."""
    filters: dict[str, Any] = {"os_hidden": False}
    properties: dict[str, str] = {}
    for param in query.keys():
        value = query.get(param)
        if param in FILTERS:
            filters[FILTERS[param]] = value
        elif param in PROPERTY_FILTERS:
            properties[PROPERTY_FILTERS[param]] = value
        elif param.startswith(PROPERTY_PREFIX) and len(param) > len(PROPERTY_PREFIX):
            properties[param[len(PROPERTY_PREFIX):]] = value
    if "status" in filters:
        filters["status"] = filters["status"].lower()
    if "updated_at_min" in filters:
        filters["updated_at_min"] = _time("changes-since", filters["updated_at_min"])
    for key, param in (("min_ram", "minRam"), ("min_disk", "minDisk")):
        if key in filters:
            filters[key] = _integer(param, filters[key])
    if "instance_uuid" in properties:
        properties["instance_uuid"] = properties["instance_uuid"].rsplit("/", 1)[-1]
    if properties:
        filters["properties"] = properties
    return filters


def list_images(ctx: RequestContext, filters: dict[str, Any], limit: int,
                marker: str | None) -> list[dict[str, Any]]:
    """A page of the images the caller may see, newest first."""
    check_image_rule(ctx, "get_images", None, "You are not allowed to list images.")
    rows: list[dict[str, Any]] = conductor.image_list(ctx, filters=filters, sort=SORT,
                                                      limit=limit, marker=marker)
    return rows


def get_image(ctx: RequestContext, image_id: str) -> dict[str, Any]:
    """An image the caller may see; 404 (Nova's "Image not found.") otherwise."""
    try:
        row: dict[str, Any] = conductor.image_get(ctx, image_id=image_id)
    except exception.ImageNotFound:
        raise exception.ImageNotFound("Image not found.", image_id=image_id) from None
    check_image_rule(ctx, "get_image", row, f"Not authorized for image {image_id}.")
    return row


def delete_image(ctx: RequestContext, image_id: str) -> None:
    """Delete the image if the image service lets the caller (owner or admin; not a
    protected image): gone at once, its data removed by the image service's scrubber."""
    row = get_image(ctx, image_id)
    check_image_rule(ctx, "delete_image", row, "You are not allowed to delete the image.")
    try:
        conductor.image_discard(ctx, image_id=image_id)
    except exception.ImageNotFound:
        raise exception.ImageNotFound("Image not found.", image_id=image_id) from None


def image_metadata_item(row: dict[str, Any], key: str) -> str:
    """The value of the image's property `key`."""
    properties = row["properties"] or {}
    if key not in properties:
        raise exception.MetadataItemNotFound("The resource could not be found.")
    value: str = properties[key]
    return value


def update_image_metadata(ctx: RequestContext, row: dict[str, Any], updates: dict[str, str],
                          deletes: list[str] | None = None,
                          replace: bool = False) -> dict[str, Any]:
    """Set `updates` and remove `deletes` of the image's properties (`replace`: `updates`
    become all of them) if the image service lets the caller change the image, within
    the caller's metadata_items quota (403 beyond, as Nova). Returns the properties."""
    for key in deletes or []:
        if key not in (row["properties"] or {}):
            raise exception.MetadataItemNotFound("Invalid metadata key")
    check_image_rule(ctx, "modify_image", row, f"Not authorized for image {row['id']}.")
    limit = conductor.quota_get(ctx, project_id=ctx.project_id)["metadata_items"]
    try:
        changed: dict[str, Any] = conductor.image_properties_update(
            ctx, image_id=row["id"], updates=updates, deletes=deletes or [],
            replace=replace, max_count=limit)
    except exception.ImageNotFound:
        raise exception.ImageNotFound("Image not found.", image_id=row["id"]) from None
    properties: dict[str, Any] = changed["properties"] or {}
    return properties
