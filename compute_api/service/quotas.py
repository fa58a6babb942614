"""Quota limits, defaults, classes and usage, behind the /os-quota-sets,
/os-quota-class-sets and /limits handlers."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from stratus import exception
from stratus.api.validation import to_bool
from stratus.context import RequestContext


def quota_limits(ctx: RequestContext, project_id: str) -> dict[str, Any]:
    """The project's limits, resource -> limit."""
    return conductor.quota_get(ctx, project_id=project_id)


def default_quotas(ctx: RequestContext) -> dict[str, Any]:
    return conductor.quota_get(ctx, defaults=True)


def usage_user(ctx: RequestContext, requested: str | None) -> str:
    """The user whose per-user usage (key pairs) to show: only admins name another."""
    user_id = requested or ctx.user_id
    if user_id != ctx.user_id and not ctx.is_admin:
        raise exception.Forbidden("Only an admin may see another user's quota usage.")
    return user_id


def quota_usage(ctx: RequestContext, project_id: str,
                user_id: str | None = None) -> dict[str, Any]:
    """resource -> {"limit", "in_use", ...} of the project, key pairs those of `user_id`
    (the caller's unless an admin names another user)."""
    return conductor.quota_usage(ctx, project_id=project_id, user_id=usage_user(ctx, user_id))


def update_values(quota_set: dict[str, Any]) -> tuple[dict[str, int], bool]:
    """The (validated) limits of an update request, and whether it forces them."""
    values = dict(quota_set)
    force = to_bool(values.pop("force", False))
    return {k: int(v) for k, v in values.items()}, force


def update_quotas(ctx: RequestContext, project_id: str,
                  quota_set: dict[str, Any]) -> dict[str, Any]:
    """Set the project's limits (`force` to go below its use); returns all its limits."""
    values, force = update_values(quota_set)
    return conductor.quota_update(ctx, project_id=project_id, values=values, force=force)


def delete_quotas(ctx: RequestContext, project_id: str) -> None:
    """Revert the project to the defaults."""
    conductor.quota_delete(ctx, project_id=project_id)


def quota_class(ctx: RequestContext, class_name: str) -> dict[str, Any]:
    return conductor.quota_class_get(ctx, class_name=class_name)


def update_quota_class(ctx: RequestContext, class_name: str,
                       quota_class_set: dict[str, Any]) -> dict[str, Any]:
    return conductor.quota_class_update(
        ctx, class_name=class_name, values={k: int(v) for k, v in quota_class_set.items()})


def limits_usage(ctx: RequestContext, project_id: str | None) -> dict[str, Any]:
    """The usage /limits shows: of `project_id`, key pairs those of the caller."""
    if project_id is None:
        raise exception.Invalid("A project-scoped token is needed to show limits.")
    return conductor.quota_usage(ctx, project_id=project_id, user_id=ctx.user_id)
