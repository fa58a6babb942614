"""Host aggregates and the availability zones they define, behind /os-aggregates."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import compute, conductor
from stratus import exception
from stratus.api.validation import MAX_INT
from stratus.context import RequestContext


def parse_aggregate_id(raw: str) -> int:
    """The aggregate id in a path, an integer an aggregate row may have."""
    shown = raw[:64]
    try:
        ident = int(raw)
    except ValueError:
        raise exception.Invalid(f"Aggregate id {shown} must be an integer.") from None
    if not 0 <= ident <= MAX_INT:
        # No row has such an id; SQLite could not even compare it (past 64 bits).
        raise exception.AggregateNotFound(aggregate_id=shown)
    return ident


def list_aggregates(ctx: RequestContext) -> list[dict[str, Any]]:
    return conductor.aggregate_list(ctx)


def create_aggregate(ctx: RequestContext, name: str,
                     availability_zone: str | None) -> dict[str, Any]:
    return conductor.aggregate_create(ctx, name=name, availability_zone=availability_zone)


def get_aggregate(ctx: RequestContext, ident: int) -> dict[str, Any]:
    return conductor.aggregate_get(ctx, aggregate_id=ident)


def update_aggregate(ctx: RequestContext, ident: int, values: dict[str, Any]) -> dict[str, Any]:
    """Change the name or availability zone."""
    return conductor.aggregate_update(ctx, aggregate_id=ident, values=values)


def delete_aggregate(ctx: RequestContext, ident: int) -> None:
    conductor.aggregate_delete(ctx, aggregate_id=ident)


def add_aggregate_host(ctx: RequestContext, ident: int, host: str) -> dict[str, Any]:
    return conductor.aggregate_add_host(ctx, aggregate_id=ident, host=host)


def remove_aggregate_host(ctx: RequestContext, ident: int, host: str) -> dict[str, Any]:
    return conductor.aggregate_remove_host(ctx, aggregate_id=ident, host=host)


def set_aggregate_metadata(ctx: RequestContext, ident: int,
                           metadata: dict[str, Any]) -> dict[str, Any]:
    """Set metadata keys (a null value removes its key)."""
    return conductor.aggregate_set_metadata(ctx, aggregate_id=ident, metadata=metadata)


def cache_aggregate_images(ctx: RequestContext, ident: int, image_ids: list[str]) -> None:
    """Cast to every host of the aggregate to fetch the images into its image cache (what
    boots from them then skips); 400 for a repeated or unknown image."""
    if len(set(image_ids)) != len(image_ids):
        raise exception.Invalid("Duplicate images in request")
    aggregate = get_aggregate(ctx, ident)
    for image_id in image_ids:
        try:
            conductor.image_get(ctx, image_id=image_id)
        except exception.ImageNotFound:
            raise exception.Invalid(f"Image {image_id} could not be found.") from None
    for host in aggregate["hosts"]:
        compute.cache_images(ctx, host=host, image_ids=image_ids)
