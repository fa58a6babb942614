"""The image endpoint: image records and who may see them (the bytes live in the image
service's store). The rows are read and written by conductor/image/queries.py."""
from __future__ import annotations

import uuid
from typing import Any

from conductor.image import queries
from conductor.rpcapi.image import ImageAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

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
