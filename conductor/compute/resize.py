"""The resize endpoint: resize and cold migration of an instance to another node (or its
own with allow_resize_to_same_host), then confirm or revert, as Nova's conductor and
compute managers split them:

  API -> instance_resize: migration pre-migrating, destination scheduled and claimed
      -> source agent resize_instance: guest off, disk handed over (migrating,
         post-migrating)
      -> destination agent finish_resize: guest on the new flavor; RESIZED
         (VERIFY_RESIZE), migration finished
  confirm: source agent drops its copy (confirmed); revert: destination drops the new
  guest, source agent brings the old one back (reverted).

The rows are read and written by conductor/compute/queries/migrations.py."""
from __future__ import annotations

import logging
from typing import Any

from compute_agent.rpcapi import ComputeAPI
from conductor.compute import limits
from conductor.compute.queries import migrations
from conductor.rpcapi.compute import ComputeConductorAPI
from network_agent.rpcapi import NetworkAgentAPI
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.objects.request_spec import Destination, RequestSpec
from stratus.rpc import endpoint_target

LOG = logging.getLogger(__name__)


def _check_resize(instance: dict[str, Any], new_flavor: dict[str, Any] | None,
                  project_limits: dict[str, int], usage: dict[str, int]) -> None:
    """A resize changes the flavor, never shrinks the root disk and stays within the
    project's cores and RAM quota (only growth counts)."""
    if new_flavor is None:
        return
    old = instance["flavor"]
    if new_flavor["flavorid"] == old["flavorid"]:
        raise exception.Invalid("When resizing, instances must change flavor!")
    if new_flavor["root_gb"] < old["root_gb"]:
        raise exception.Invalid("Server disk was unable to be resized because: Unable to "
                                "resize disk down.")
    limits.check(project_limits, usage, {
        "cores": max(0, new_flavor["vcpus"] - old["vcpus"]),
        "ram": max(0, new_flavor["memory_mb"] - old["memory_mb"])})


def _moved(ctx: RequestContext, instance: dict[str, Any] | None) -> dict[str, Any] | None:
    """A server with NICs changed hosts: every network agent re-reads its host (the
    new one filters the server's ports, the old one drops them)."""
    if instance is not None and instance.get("network_info"):
        NetworkAgentAPI.get().networks_changed(ctx)
    return instance


def _excluded_hosts(source: str, resize: bool, host: str | None) -> list[str]:
    """A cold migration always leaves its host; a resize may stay with
    allow_resize_to_same_host."""
    if host is not None and host == source:
        raise exception.Invalid("The target host can't be the same one.")
    if resize and CONF.allow_resize_to_same_host:
        return []
    return [source]


class ResizeEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def instance_resize(self, ctx: RequestContext, instance_uuid: str,
                        flavor: dict[str, Any] | None = None, host: str | None = None,
                        project_id: str | None = None) -> dict[str, Any]:
        """Start moving the instance to `flavor` (None: a cold migration) on a host the
        scheduler picks (`host` if an admin named one); NoValidHost (nothing changed)
        when none has room."""
        instance, migration, spec = migrations.begin_move(
            ctx, instance_uuid, project_id, flavor,
            lambda inst, project_limits, usage: _check_resize(inst, flavor,
                                                              project_limits, usage))
        try:
            excluded = _excluded_hosts(instance["host"], flavor is not None, host)
            request = RequestSpec.model_validate(spec).model_copy(update={
                "flavor": migration["new_flavor"], "force_host": host, "force_node": None,
                "retry_hosts": excluded})
            candidates = SchedulerAPI.get().select_destinations(
                ctx, request_spec=request, instance_uuids=[instance_uuid])[0]
            migration = self._claim(migration["id"], candidates)
        except exception.StratusError as e:
            migrations.abort_move(ctx, migration["id"], e.message)
            raise
        LOG.info("%s %s from %s to %s", migration["migration_type"].capitalize(),
                 instance_uuid, migration["source_compute"], migration["dest_compute"])
        ComputeAPI.get().resize_instance(ctx, host=migration["source_compute"],
                                         instance=instance, migration=migration)
        return instance

    @staticmethod
    def _claim(migration_id: int, candidates: list[Destination]) -> dict[str, Any]:
        refusals = []
        for candidate in candidates:
            try:
                return migrations.claim_destination(migration_id, candidate.host,
                                                    candidate.node)
            except exception.Conflict as e:
                refusals.append(str(e.kwargs.get("reason", e)))
        raise exception.NoValidHost(reason="; ".join(refusals))

    # --- the agents report ------------------------------------------------------------

    def migration_progress(self, ctx: RequestContext, migration_id: int, status: str,
                           task_state: str,
                           expected_task_state: str) -> dict[str, Any] | None:
        return migrations.advance(migration_id, status, task_state, expected_task_state)

    def migration_finish(self, ctx: RequestContext, migration_id: int,
                         power_state: int) -> dict[str, Any] | None:
        return _moved(ctx, migrations.land(ctx, migration_id, power_state))

    def migration_failed(self, ctx: RequestContext, migration_id: int, error: str,
                         host: str, values: dict[str, Any]) -> None:
        migrations.fail(ctx, migration_id, error, host, values)

    def migration_confirmed(self, ctx: RequestContext, migration_id: int) -> None:
        migrations.confirmed(ctx, migration_id)

    def migration_reverted(self, ctx: RequestContext, migration_id: int,
                           power_state: int) -> dict[str, Any] | None:
        return _moved(ctx, migrations.reverted(ctx, migration_id, power_state))

    # --- confirm and revert ------------------------------------------------------------

    def instance_confirm_resize(self, ctx: RequestContext, instance_uuid: str,
                                project_id: str | None = None) -> None:
        """Keep the moved instance: its source lets go of the old guest and disk."""
        instance, migration = migrations.start_confirm(ctx, instance_uuid, project_id)
        ComputeAPI.get().confirm_resize(ctx, host=migration["source_compute"],
                                        instance=instance, migration=migration)

    def instance_revert_resize(self, ctx: RequestContext, instance_uuid: str,
                               project_id: str | None = None) -> None:
        """Go back: the destination drops the new guest, then the source restarts the
        old one with the old flavor."""
        instance, migration = migrations.start_revert(ctx, instance_uuid, project_id)
        ComputeAPI.get().revert_resize(ctx, host=migration["dest_compute"],
                                       instance=instance, migration=migration)

    def migration_list(self, ctx: RequestContext, filters: dict[str, Any],
                       limit: int | None = None,
                       marker: str | None = None) -> list[dict[str, Any]]:
        return migrations.migrations_matching(filters, limit, marker)
