"""SQL of the image domain: image records and which of them a caller may see. The only
module of conductor/image/ that touches the database; images leave it as dicts."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.db import api as db
from conductor.image.models import Image
from stratus import exception
from stratus.context import RequestContext

SORT_KEYS = {"name", "status", "container_format", "disk_format", "size", "id",
             "created_at", "updated_at", "visibility", "owner", "min_disk", "min_ram"}
EXACT_FILTERS = ("name", "status", "visibility", "owner", "disk_format", "container_format",
                 "os_hidden", "protected", "min_ram", "min_disk")
# The status of a discarded image (Glance's delayed delete): hidden from every caller, its
# id still taken, until the image service has removed its data and purges the record.
DISCARDED = "pending_delete"


def _visible(query: sa.Select[Any], ctx: RequestContext,
             community: bool = True) -> sa.Select[Any]:
    query = query.where(Image.status != DISCARDED)
    if ctx.is_admin:
        return query
    shown = [Image.visibility == "public", Image.owner == ctx.project_id]
    if community:
        shown.append(Image.visibility == "community")
    return query.where(sa.or_(*shown))


def image_row(session: Session, ctx: RequestContext, image_id: str) -> Image:
    """The image if the caller may see it; ImageNotFound otherwise."""
    row = session.scalar(_visible(sa.select(Image).where(Image.id == image_id), ctx))
    if row is None:
        raise exception.ImageNotFound(image_id=image_id)
    return row


def image(ctx: RequestContext, image_id: str) -> dict[str, Any]:
    with db.reader() as s:
        return db.to_dict(image_row(s, ctx, image_id))


def images_matching(ctx: RequestContext, filters: dict[str, Any],
                    sort: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The images the caller sees that match the exact, size, property and update-time
    filters (community ones only when asked for), sorted by `sort` then id."""
    with db.reader() as s:
        query = _visible(sa.select(Image), ctx, community=True)
        if "visibility" not in filters:
            query = query.where(Image.visibility != "community")
        for key in EXACT_FILTERS:
            if key in filters:
                query = query.where(getattr(Image, key) == filters[key])
        if "size_min" in filters:
            query = query.where(Image.size >= filters["size_min"])
        if "size_max" in filters:
            query = query.where(Image.size <= filters["size_max"])
        for key, value in (filters.get("properties") or {}).items():
            query = query.where(Image.properties[key].as_string() == value)
        if "updated_at_min" in filters:
            query = query.where(Image.updated_at >= db.parse_time(filters["updated_at_min"]))
        order = []
        for key, direction in sort + [("id", "asc")]:
            column = getattr(Image, key if key in SORT_KEYS else "created_at")
            order.append(column.desc() if direction == "desc" else column.asc())
        return [db.to_dict(r) for r in s.scalars(query.order_by(*order))]


def create_image(values: dict[str, Any]) -> dict[str, Any]:
    """Insert the image; Duplicate if its id is taken."""
    with db.writer() as s:
        if s.get(Image, values["id"]) is not None:
            raise exception.Duplicate(reason=f"Image with identifier {values['id']} "
                                             f"already exists!")
        row = Image(**values)
        s.add(row)
        s.flush()
        return db.to_dict(row)


def update_image(ctx: RequestContext, image_id: str, values: dict[str, Any],
                 expected_status: list[str] | None = None) -> dict[str, Any]:
    """Write `values`; with `expected_status`, only from one of those states (Conflict)."""
    with db.writer() as s:
        row = image_row(s, ctx, image_id)
        if expected_status is not None and row.status not in expected_status:
            raise exception.Conflict(
                reason=f"Image status transition from {row.status} is not allowed")
        for key, value in values.items():
            setattr(row, key, value)
        s.flush()
        return db.to_dict(row)


def _deletable_row(s: Session, ctx: RequestContext, image_id: str) -> Image:
    row = image_row(s, ctx, image_id)
    if row.protected:
        raise exception.Forbidden(f"Image {image_id} is protected and cannot be deleted.")
    return row


def delete_image(ctx: RequestContext, image_id: str) -> dict[str, Any]:
    """Delete the image unless it is protected (Forbidden); what it was."""
    with db.writer() as s:
        row = _deletable_row(s, ctx, image_id)
        out = db.to_dict(row)
        s.delete(row)
        return out


def update_properties(ctx: RequestContext, image_id: str,
                      change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """Replace the image's properties by `change(properties)` (which raises to refuse) in
    one transaction, the row locked."""
    with db.writer() as s:
        row = s.scalar(_visible(sa.select(Image).where(Image.id == image_id), ctx)
                       .with_for_update())
        if row is None:
            raise exception.ImageNotFound(image_id=image_id)
        row.properties = change(dict(row.properties or {}))
        s.flush()
        return db.to_dict(row)


def discard_image(ctx: RequestContext, image_id: str) -> dict[str, Any]:
    """Hide the image (DISCARDED) unless it is protected (Forbidden); what it was."""
    with db.writer() as s:
        row = _deletable_row(s, ctx, image_id)
        out = db.to_dict(row)
        row.status = DISCARDED
        return out


def discarded_ids(limit: int) -> list[str]:
    """Up to `limit` discarded images, the longest discarded first."""
    with db.reader() as s:
        query = (sa.select(Image.id).where(Image.status == DISCARDED)
                 .order_by(Image.updated_at.asc(), Image.id.asc()).limit(limit))
        return list(s.scalars(query))


def purge_image(image_id: str) -> None:
    """Remove the record if it is a discarded image."""
    with db.writer() as s:
        s.execute(sa.delete(Image).where(Image.id == image_id, Image.status == DISCARDED))
