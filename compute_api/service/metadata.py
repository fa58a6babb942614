"""Server metadata, behind the /servers/{id}/metadata handlers."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from compute_api.service.servers import owner_filter
from stratus import exception
from stratus.context import RequestContext


def server_metadata_item(inst: dict[str, Any], key: str) -> str:
    """The value of the server's metadata `key`."""
    if key not in inst["metadata"]:
        raise exception.MetadataItemNotFound()
    return inst["metadata"][key]


def update_server_metadata(ctx: RequestContext, server_id: str, updates: dict[str, str],
                           deletes: list[str] | None = None,
                           replace: bool = False) -> dict[str, str]:
    """Set `updates` and remove `deletes` (`replace`: `updates` becomes all of it);
    returns the server's metadata."""
    return conductor.instance_metadata_update(
        ctx, instance_uuid=server_id, updates=updates, deletes=deletes or [],
        replace=replace, project_id=owner_filter(ctx))
