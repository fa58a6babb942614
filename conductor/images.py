"""Image records and who may see them (the bytes live in the image service's store)."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from conductor.db import api as db
from conductor.db.models import Image
from conductor.rpcapi import ConductorAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

SORT_KEYS = {"name", "status", "container_format", "disk_format", "size", "id",
             "created_at", "updated_at", "visibility", "owner", "min_disk", "min_ram"}
EXACT_FILTERS = ("name", "status", "visibility", "owner", "disk_format", "container_format",
                 "os_hidden", "protected")
UPDATABLE = {"name", "status", "visibility", "disk_format", "container_format", "size",
             "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "min_disk",
             "min_ram", "protected", "os_hidden", "properties", "tags", "location"}


def _visible(query: sa.Select[Any], ctx: RequestContext,
             community: bool = True) -> sa.Select[Any]:
    if ctx.is_admin:
        return query
    shown = [Image.visibility == "public", Image.owner == ctx.project_id]
    if community:
        shown.append(Image.visibility == "community")
    return query.where(sa.or_(*shown))


def _get(session: sa.orm.Session, ctx: RequestContext, image_id: str) -> Image:
    row = session.scalar(_visible(sa.select(Image).where(Image.id == image_id), ctx))
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    return row


class ImageEndpoint:
    target = endpoint_target(ConductorAPI)

    def image_create(self, ctx: RequestContext, values: dict[str, Any]) -> dict[str, Any]:
        values = {**values, "id": values.get("id") or str(uuid.uuid4())}
        with db.writer() as s:
            if s.get(Image, values["id"]) is not None:
                raise exception.Duplicate(reason=f"Image with identifier {values['id']} "
                                                 f"already exists!")
            row = Image(**values)
            s.add(row)
            s.flush()
            return db.to_dict(row)

    def image_get(self, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        """An image the caller may see; ImageNotFound otherwise."""
        with db.reader() as s:
            return db.to_dict(_get(s, ctx, image_id))

    def image_list(self, ctx: RequestContext, filters: dict[str, Any],
                   sort: list[tuple[str, str]], limit: int,
                   marker: str | None = None) -> list[dict[str, Any]]:
        with db.reader() as s:
            community = filters.get("visibility") == "community"
            query = _visible(sa.select(Image), ctx, community=True)
            if not community and "visibility" not in filters:
                query = query.where(Image.visibility != "community")
            for key in EXACT_FILTERS:
                if key in filters:
                    query = query.where(getattr(Image, key) == filters[key])
            if "size_min" in filters:
                query = query.where(Image.size >= filters["size_min"])
            if "size_max" in filters:
                query = query.where(Image.size <= filters["size_max"])
            order = []
            for key, direction in sort + [("id", "asc")]:
                column = getattr(Image, key if key in SORT_KEYS else "created_at")
                order.append(column.desc() if direction == "desc" else column.asc())
            rows = list(s.scalars(query.order_by(*order)))
            if "tag" in filters:
                rows = [r for r in rows if all(t in (r.tags or []) for t in filters["tag"])]
            if marker is not None:
                ids = [r.id for r in rows]
                if marker not in ids:
                    raise exception.Invalid(f"marker [{marker}] not found")
                rows = rows[ids.index(marker) + 1:]
            return [db.to_dict(r) for r in rows[:limit]]

    def image_update(self, ctx: RequestContext, image_id: str, values: dict[str, Any],
                     expected_status: list[str] | None = None) -> dict[str, Any]:
        """Update an image; with `expected_status`, only from one of those states."""
        with db.writer() as s:
            row = _get(s, ctx, image_id)
            if expected_status is not None and row.status not in expected_status:
                raise exception.Conflict(
                    reason=f"Image status transition from {row.status} is not allowed")
            for key, value in values.items():
                if key in UPDATABLE:
                    setattr(row, key, value)
            s.flush()
            return db.to_dict(row)

    def image_delete(self, ctx: RequestContext, image_id: str) -> dict[str, Any]:
        with db.writer() as s:
            row = _get(s, ctx, image_id)
            if row.protected:
                raise exception.Forbidden(f"Image {image_id} is protected and cannot be "
                                          f"deleted.")
            out = db.to_dict(row)
            s.delete(row)
            return out
