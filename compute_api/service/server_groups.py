"""Server groups, whose members are placed together or apart, behind /os-server-groups."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from stratus import exception
from stratus.context import RequestContext


def list_server_groups(ctx: RequestContext, project_id: str | None, limit: int | None,
                       offset: int) -> list[dict[str, Any]]:
    """The groups of `project_id` (None: of every project)."""
    return conductor.server_group_list(ctx, project_id=project_id, limit=limit,
                                       offset=offset)


def group_rules(policy: str, rules: dict[str, Any]) -> dict[str, int]:
    """The rules of a group with `policy`: only anti-affinity takes any."""
    checked = {k: int(v) for k, v in rules.items()}
    if checked and policy != "anti-affinity":
        raise exception.ValidationError(
            reason=f"Only the anti-affinity policy takes rules, not {policy}.")
    return checked


def create_server_group(ctx: RequestContext, name: str, policy: str,
                        rules: dict[str, Any]) -> dict[str, Any]:
    """A group of the caller's project and user."""
    return conductor.server_group_create(
        ctx, project_id=ctx.project_id, user_id=ctx.user_id, name=name, policy=policy,
        rules=group_rules(policy, rules))


def get_server_group(ctx: RequestContext, group_id: str,
                     project_id: str | None) -> dict[str, Any]:
    """Group `group_id` if it belongs to `project_id` (None: to any project)."""
    return conductor.server_group_get(ctx, group_uuid=group_id, project_id=project_id)


def delete_server_group(ctx: RequestContext, group_id: str, project_id: str | None) -> None:
    conductor.server_group_delete(ctx, group_uuid=group_id, project_id=project_id)
