"""What was done to a server and how it went, behind /servers/{id}/os-instance-actions."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from compute_api.service.servers import owner_filter
from stratus.context import RequestContext


def list_instance_actions(ctx: RequestContext, server_id: str,
                          **paging: Any) -> list[dict[str, Any]]:
    """The server's actions, newest first; `paging` (2.58) is limit, marker and
    changes_since."""
    return conductor.instance_action_list(ctx, instance_uuid=server_id,
                                          project_id=owner_filter(ctx), **paging)


def get_instance_action(ctx: RequestContext, server_id: str,
                        request_id: str) -> dict[str, Any]:
    """The server's action of request `request_id`, with its events."""
    return conductor.instance_action_get(ctx, instance_uuid=server_id, request_id=request_id,
                                         project_id=owner_filter(ctx))


def action_owner(ctx: RequestContext, version: tuple[int, int], server_id: str,
                 action: dict[str, Any]) -> str:
    """The project hostIds are hashed with: the action's, else (no project recorded,
    e.g. an admin tool's action) the server's (from 2.62, which shows hostIds)."""
    if action["project_id"] or version < (2, 62) or not action["events"]:
        return action["project_id"] or ""
    return conductor.instance_get(ctx, instance_uuid=server_id, project_id=owner_filter(ctx),
                                  read_deleted=True)["project_id"]
