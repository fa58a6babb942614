"""Moves of servers between hosts: resize and cold migration (then confirm or revert),
and the migrations they leave (os-migrations)."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from compute_api.service.hosts import require_compute_host
from compute_api.service.servers import flavor_snapshot, owner_filter, resolve_flavor
from stratus import exception
from stratus.context import RequestContext


def _move(ctx: RequestContext, inst: dict[str, Any], flavor: dict[str, Any] | None,
          host: str | None) -> None:
    """Start the move; 400 when no host has room (the server is left as it was)."""
    try:
        conductor.instance_resize(ctx, instance_uuid=inst["uuid"], flavor=flavor, host=host,
                                  project_id=owner_filter(ctx))
    except exception.NoValidHost as e:
        raise exception.Invalid(e.message) from None


def resize_server(ctx: RequestContext, inst: dict[str, Any], flavor_ref: Any) -> None:
    """Move the server to another flavor (and, unless allow_resize_to_same_host, another
    host); it waits in VERIFY_RESIZE for a confirm or a revert."""
    _move(ctx, inst, flavor_snapshot(resolve_flavor(ctx, flavor_ref)), None)


def migrate_server(ctx: RequestContext, inst: dict[str, Any], host: str | None) -> None:
    """Cold-migrate the server to another host (`host` if named), same flavor."""
    if host is not None:
        try:
            require_compute_host(ctx, host)
        except exception.ComputeHostNotFound as e:
            raise exception.Invalid(e.message) from None
    _move(ctx, inst, None, host)


def confirm_resize(ctx: RequestContext, inst: dict[str, Any]) -> None:
    conductor.instance_confirm_resize(ctx, instance_uuid=inst["uuid"],
                                      project_id=owner_filter(ctx))


def revert_resize(ctx: RequestContext, inst: dict[str, Any]) -> None:
    conductor.instance_revert_resize(ctx, instance_uuid=inst["uuid"],
                                     project_id=owner_filter(ctx))


def list_migrations(ctx: RequestContext, filters: dict[str, Any], limit: int | None = None,
                    marker: str | None = None) -> list[dict[str, Any]]:
    return conductor.migration_list(ctx, filters=filters, limit=limit, marker=marker)
