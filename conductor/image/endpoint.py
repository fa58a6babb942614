"""The image endpoint: image records and who may see them (the bytes live in the image
service's store). The rows are read and written by conductor/image/queries.py."""
from __future__ import annotations

import uuid
from typing import Any

from conductor.image import queries
from conductor.rpcapi.image import ImageAPI
from stratus import exception, image_properties
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

MAX_PROPERTY_LENGTH = 255  # Glance's VARCHAR(255) property names and values
UPDATABLE = {"name", "status", "visibility", "disk_format", "container_format", "size",
             "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "min_disk",
             "min_ram", "protected", "os_hidden", "properties", "tags", "location"}


class ImageEndpoint:
    target = endpoint_target(ImageAPI)

    def image_create(self, ctx: RequestContext, values: dict[str, Any]) -> dict[str, Any]:
        values = {**values, "id": values.get("id") or str(uuid.uuid4())}
        return queries.create_image(values)

    def image_get(self, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        """An image the caller may see; ImageNotFound otherwise."""
        return queries.image(ctx, image_id)

    def image_list(self, ctx: RequestContext, filters: dict[str, Any],
                   sort: list[tuple[str, str]], limit: int,
                   marker: str | None = None) -> list[dict[str, Any]]:
        rows = queries.images_matching(ctx, filters, sort)
        if "tag" in filters:
            rows = [r for r in rows if all(t in (r["tags"] or []) for t in filters["tag"])]
        if marker is not None:
            ids = [r["id"] for r in rows]
            if marker not in ids:
                raise exception.Invalid(f"marker [{marker}] not found")
            rows = rows[ids.index(marker) + 1:]
        return rows[:limit]

    def image_update(self, ctx: RequestContext, image_id: str, values: dict[str, Any],
                     expected_status: list[str] | None = None) -> dict[str, Any]:
        """Update an image; with `expected_status`, only from one of those states."""
        return queries.update_image(ctx, image_id,
                                    {k: v for k, v in values.items() if k in UPDATABLE},
                                    expected_status)

    def image_delete(self, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        return queries.delete_image(ctx, image_id)

    def image_properties_update(self, ctx: RequestContext, image_id: str,
                                updates: dict[str, str], deletes: list[str],
                                replace: bool = False, max_count: int = -1) -> dict[str, Any]:
        def change(current: dict[str, Any]) -> dict[str, Any]:
            check_property_names(updates)
            return changed_properties(current, updates, deletes, replace, max_count)
        return queries.update_properties(ctx, image_id, change)

    def image_discard(self, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        return queries.discard_image(ctx, image_id)

    def image_discarded_list(self, ctx: RequestContext, limit: int) -> list[str]:
        return queries.discarded_ids(limit)

    def image_purge(self, ctx: RequestContext, image_id: str) -> None:
        queries.purge_image(image_id)


def check_property_names(updates: dict[str, Any]) -> None:
    """The image service's rules for what a property may be: not named like a core
    attribute (Forbidden, as Glance refuses it), a name of 1-255 characters and a text
    value, neither with NUL (Invalid)."""
    reserved = image_properties.reserved(updates)
    if reserved:
        raise exception.Forbidden(f"Attribute '{reserved[0]}' is reserved to the image "
                                  f"service: it cannot be an image property.")
    for name, value in updates.items():
        if not 0 < len(name) <= MAX_PROPERTY_LENGTH or "\0" in name:
            raise exception.Invalid(f"Invalid property name {name[:64]!r}: a name has 1 "
                                    f"to {MAX_PROPERTY_LENGTH} characters, none of them NUL.")
        if not isinstance(value, str) or len(value) > MAX_PROPERTY_LENGTH or "\0" in value:
            raise exception.Invalid(f"Invalid value of property {name[:64]!r}: a text of "
                                    f"at most {MAX_PROPERTY_LENGTH} characters, no NUL.")


def changed_properties(current: dict[str, Any], updates: dict[str, str], deletes: list[str],
                       replace: bool, max_count: int) -> dict[str, Any]:
    """The properties after the change: MetadataItemNotFound for a key to delete that
    is not there; Forbidden beyond [image] image_property_quota (unless the change adds
    none) or, when `updates` are given, beyond `max_count`."""
    result = {} if replace else dict(current)
    for key in deletes:
        if key not in result:
            raise exception.MetadataItemNotFound()
        del result[key]
    result.update(updates)
    quota = CONF.image.image_property_quota
    if 0 <= quota < len(result) and len(result) > len(current):
        raise exception.Forbidden(
            f"The limit has been exceeded on the number of allowed image properties. "
            f"Attempted: {len(result)}, Maximum: {quota}")
    if updates and 0 <= max_count < len(result):
        raise exception.QuotaExceeded("Image metadata limit exceeded",
                                      resource="metadata_items", requested=len(result),
                                      used=0, quota=max_count)
    return result
