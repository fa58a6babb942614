"""The quota endpoint (seed 5.1.2): limits per project, defaults per quota class, usage
counted live. Limits are validated here; conductor/compute/queries/quotas.py reads and
writes them."""
from __future__ import annotations

from typing import Any

from conductor.compute.limits import RESOURCES
from conductor.compute.queries import quotas as queries
from conductor.rpcapi.compute import ComputeConductorAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


def _validate(values: dict[str, Any]) -> dict[str, int]:
    clean = {}
    for key, value in values.items():
        if key not in RESOURCES:
            raise exception.Invalid(reason=f"Unknown quota resource {key}.")
        clean[key] = int(value)
    return clean


def _not_below(values: dict[str, int], usage: dict[str, int]) -> None:
    """Invalid if a new limit is below what the project already uses."""
    for resource, limit in values.items():
        if 0 <= limit < usage[resource]:
            raise exception.Invalid(
                reason=f"Quota limit {limit} for {resource} must be greater "
                       f"than or equal to already used and reserved "
                       f"{usage[resource]}.")


class QuotaEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def quota_get(self, ctx: RequestContext, project_id: str | None = None,
                  defaults: bool = False) -> dict[str, int]:
        if defaults or project_id is None:
            return queries.limits_of_class()
        return queries.limits_of_project(project_id)

    def quota_update(self, ctx: RequestContext, project_id: str, values: dict[str, Any],
                     force: bool = False) -> dict[str, int]:
        values = _validate(values)
        check = None if force else lambda usage: _not_below(values, usage)
        return queries.set_project_limits(project_id, values, check)

    def quota_delete(self, ctx: RequestContext, project_id: str) -> None:
        queries.delete_project_limits(project_id)

    def quota_class_get(self, ctx: RequestContext, class_name: str) -> dict[str, int]:
        return queries.limits_of_class(class_name)

    def quota_class_update(self, ctx: RequestContext, class_name: str,
                           values: dict[str, Any]) -> dict[str, int]:
        return queries.set_class_limits(class_name, _validate(values))

    def quota_usage(self, ctx: RequestContext, project_id: str,
                    user_id: str | None = None) -> dict[str, dict[str, int]]:
        """Limits and use side by side: {resource: {"limit": L, "in_use": U}}."""
        limits, usage = queries.limits_and_usage(project_id, user_id)
        return {r: {"limit": limits[r], "in_use": usage[r], "reserved": 0} for r in RESOURCES}
