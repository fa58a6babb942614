"""The instance action endpoint: a user request on an instance, with the events that
carried it out.

`instance_action_start` moves the instance into the action's task_state and records the
action in one transaction; `instance_action_finish` writes the outcome and its event.
The rows are read and written by conductor/compute/queries/instances.py and actions.py.
"""
from __future__ import annotations

from typing import Any

from conductor.compute.queries import actions as queries
from conductor.compute.queries import instances
from conductor.rpcapi.compute import ComputeConductorAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


class ActionEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def instance_action_start(self, ctx: RequestContext, instance_uuid: str, action: str,
                              task_state: str, vm_states: list[str],
                              task_states: list[str | None] | None = None,
                              project_id: str | None = None,
                              values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Begin `action` if the instance is in one of `vm_states` (and `task_states`),
        writing `values` with the new task_state."""
        return instances.start_action(
            ctx, instance_uuid, action, task_state, vm_states,
            task_states if task_states is not None else [None], project_id, values or {})

    def instance_action_finish(self, ctx: RequestContext, instance_uuid: str, event: str,
                               values: dict[str, Any], expected_task_state: str | None,
                               host: str | None = None,
                               error: str | None = None) -> dict[str, Any] | None:
        """Write an action's outcome; None when the instance went away meanwhile."""
        return instances.finish_action(ctx, instance_uuid, event, values,
                                       expected_task_state, host, error)

    def instance_action_list(self, ctx: RequestContext, instance_uuid: str,
                             project_id: str | None = None, limit: int | None = None,
                             marker: str | None = None,
                             changes_since: str | None = None,
                             changes_before: str | None = None) -> list[dict[str, Any]]:
        """Newest first; `marker` is the request_id of the last action already seen."""
        instances.require_instance(instance_uuid, project_id, read_deleted=True)
        return queries.actions(instance_uuid, limit, marker, changes_since, changes_before)

    def instance_action_get(self, ctx: RequestContext, instance_uuid: str, request_id: str,
                            project_id: str | None = None) -> dict[str, Any]:
        instances.require_instance(instance_uuid, project_id, read_deleted=True)
        found = queries.action(instance_uuid, request_id)
        if found is None:
            raise exception.NotFound(f"Action for request_id {request_id} on instance "
                                     f"{instance_uuid} not found")
        return found
