"""The instances endpoint: creation under quota, the build orchestration, state changes,
deletion.

A build goes API -> instances_create (rows in BUILD/scheduling, quota held by
the rows themselves) -> schedule_and_build_instances (scheduler picks hosts,
the conductor claims one atomically) -> compute agent spawns -> ACTIVE.
The rows are read and written by conductor/compute/queries/; the build's steps are
conductor/compute/builder.py, which the build watchdog shares.
"""
from __future__ import annotations

import secrets
import uuid
from typing import Any

from compute_agent.rpcapi import ComputeAPI
from conductor.compute import builder, limits
from conductor.compute.queries import builds, migrations
from conductor.compute.queries import tags as tag_queries
from conductor.compute.queries import instances as queries
from conductor.network.queries import networks as network
from conductor.network.queries import security_groups
from conductor.rpcapi.compute import ComputeConductorAPI
from metadata_api.rpcapi import MetadataAPI
from network_agent.rpcapi import NetworkAgentAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.objects.request_spec import Destination, RequestSpec
from stratus.objects import states
from stratus.objects.flavor_columns import flavor_columns
from stratus.rpc import endpoint_target
from stratus.servicegroup import get_driver

_UNSET: Any = object()


def _new_row(base: dict[str, Any], request_spec: RequestSpec, reservation_id: str,
             index: int, count: int) -> dict[str, Any]:
    """The columns of instance `index` of a boot request for `count` instances."""
    values = {**base, **flavor_columns(base["flavor"])}
    if count > 1:
        values["name"] = f"{base['name']}-{index + 1}"
        values["hostname"] = f"{base.get('hostname') or base['name']}-{index + 1}"
    return dict(
        uuid=str(uuid.uuid4()), reservation_id=reservation_id, launch_index=index,
        vm_state=states.BUILDING, task_state=states.SCHEDULING, power_state=states.NOSTATE,
        request_spec=request_spec.model_dump(mode="json"),
        pinned_availability_zone=request_spec.availability_zone,
        image_properties=request_spec.image.get("properties") or {},
        scheduler_hints=request_spec.scheduler_hints, **values)


# What instance_update may change without the guest seeing it in its metadata.
NOT_GUEST_VISIBLE = {"vm_state", "task_state", "power_state", "launched_at", "terminated_at",
                     "host", "node", "progress", "locked", "locked_by", "locked_reason",
                     "config_drive", "shelved_image_id", "access_ip_v4", "access_ip_v6"}


def _released(ctx: RequestContext, instance_uuid: str, host: str | None,
              source: bool) -> None:
    """A deleted instance's host drops its port chains, DHCP entry and floating IPs at
    once (a reused fixed IP must never inherit them, nor its metadata, which the
    metadata services forget); every host re-reads its rules when the instance's groups
    were the source of a rule (its address is gone from them)."""
    MetadataAPI.get().instance_changed(ctx, instance_uuid=instance_uuid)
    if host:
        NetworkAgentAPI.get().refresh_host(ctx, host=host)
    if source:
        NetworkAgentAPI.get().security_groups_changed(ctx)


def _merged_metadata(current: dict[str, str], project_limits: dict[str, int],
                     updates: dict[str, str], deletes: list[str],
                     replace: bool) -> dict[str, str]:
    """The metadata after the change, within the metadata_items quota."""
    metadata = {} if replace else current
    for key in deletes:
        if key not in metadata:
            raise exception.MetadataItemNotFound()
        del metadata[key]
    metadata.update(updates)
    limit = project_limits["metadata_items"]
    if 0 <= limit < len(metadata):
        raise exception.QuotaExceeded(resource="metadata_items",
                                      requested=len(metadata), used=0, quota=limit)
    return metadata


def _followed(vm_state: str, power_state: int) -> dict[str, Any]:
    """The record of a guest that changed state by itself: one that shut itself down is
    SHUTOFF, one started outside is ACTIVE."""
    values: dict[str, Any] = {"power_state": power_state}
    if vm_state == states.ACTIVE and power_state in (states.SHUTDOWN, states.CRASHED):
        values["vm_state"] = states.STOPPED
    elif vm_state == states.STOPPED and power_state == states.RUNNING:
        values["vm_state"] = states.ACTIVE
    return values


class InstanceEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def __init__(self) -> None:
        self.servicegroup = get_driver()

    def instances_create(self, ctx: RequestContext, base: dict[str, Any], min_count: int,
                         max_count: int, request_spec: RequestSpec) -> list[dict[str, Any]]:
        """Create the rows of one boot request and start building them."""
        flavor = base["flavor"]
        per_instance = {"instances": 1, "cores": flavor["vcpus"], "ram": flavor["memory_mb"]}
        reservation_id = "r-" + secrets.token_hex(4)

        def rows_for(project_limits: dict[str, int],
                     usage: dict[str, int]) -> list[dict[str, Any]]:
            limits.check(project_limits, {"metadata_items": 0},
                         {"metadata_items": len(base.get("metadata_items") or {})})
            count = limits.admissible_count(project_limits, usage, per_instance,
                                            min_count, max_count)
            return [_new_row(base, request_spec, reservation_id, index, count)
                    for index in range(count)]

        network.check_requested_networks(base["project_id"],
                                         request_spec.requested_networks)
        group = request_spec.group.uuid if request_spec.group else None
        created = builds.create_instances(ctx, base["project_id"], rows_for, group,
                                          request_spec.security_groups)
        ComputeConductorAPI.get().schedule_and_build_instances(
            ctx, instance_uuids=[r["uuid"] for r in created], request_spec=request_spec)
        return created

    # --- building -----------------------------------------------------------------

    def schedule_and_build_instances(self, ctx: RequestContext, instance_uuids: list[str],
                                     request_spec: RequestSpec) -> None:
        builder.schedule_and_build(ctx, instance_uuids, request_spec)

    def instance_build_failed(self, ctx: RequestContext, instance_uuid: str, host: str,
                              reason: str, alternates: list[Destination],
                              retryable: bool = True) -> None:
        """A compute agent could not build: try elsewhere or end in ERROR."""
        builder.build_failed(ctx, instance_uuid, host, reason, alternates, retryable)

    # --- reads ----------------------------------------------------------------------

    def instance_get(self, ctx: RequestContext, instance_uuid: str,
                     project_id: str | None = None,
                     read_deleted: bool = False) -> dict[str, Any]:
        return queries.instance(instance_uuid, project_id, read_deleted)

    def instance_list(self, ctx: RequestContext, filters: dict[str, Any],
                      sort_key: str = "created_at", sort_dir: str = "desc",
                      limit: int | None = None,
                      marker: str | None = None) -> list[dict[str, Any]]:
        return queries.instances_matching(filters, sort_key, sort_dir, limit, marker)

    # --- writes ---------------------------------------------------------------------

    def instance_update(self, ctx: RequestContext, instance_uuid: str,
                        values: dict[str, Any], expected_task_state: Any = _UNSET,
                        expected_vm_state: list[str] | None = None) -> dict[str, Any]:
        """Update a live instance; with expectations, only from those states."""
        task_states = None
        if expected_task_state is not _UNSET:
            task_states = expected_task_state if isinstance(expected_task_state, list) \
                else [expected_task_state]
        updated = queries.update_instance(instance_uuid, values, task_states,
                                          expected_vm_state)
        if set(values) - NOT_GUEST_VISIBLE:
            MetadataAPI.get().instance_changed(ctx, instance_uuid=instance_uuid)
        return updated

    def instance_lock(self, ctx: RequestContext, instance_uuid: str, locked: bool,
                      reason: str | None = None,
                      project_id: str | None = None) -> dict[str, Any]:
        return queries.set_lock(ctx, instance_uuid, project_id, locked, reason)

    def instance_tags_replace(self, ctx: RequestContext, instance_uuid: str,
                              tags: list[str], project_id: str | None = None) -> list[str]:
        return tag_queries.replace_tags(ctx, instance_uuid, project_id, tags)

    def instance_tag_add(self, ctx: RequestContext, instance_uuid: str, tag: str,
                         project_id: str | None = None) -> bool:
        return tag_queries.add_tag(ctx, instance_uuid, project_id, tag)

    def instance_tag_remove(self, ctx: RequestContext, instance_uuid: str, tag: str,
                            project_id: str | None = None) -> None:
        tag_queries.remove_tag(ctx, instance_uuid, project_id, tag)

    def instance_pin_zone(self, ctx: RequestContext, instance_uuid: str, zone: str | None,
                          project_id: str | None = None) -> dict[str, Any]:
        return queries.pin_zone(instance_uuid, project_id, zone)

    def instance_reset_state(self, ctx: RequestContext, instance_uuid: str,
                             vm_state: str) -> dict[str, Any]:
        return queries.reset_state(ctx, instance_uuid, vm_state)

    def instance_metadata_update(self, ctx: RequestContext, instance_uuid: str,
                                 updates: dict[str, str], deletes: list[str] | None = None,
                                 replace: bool = False,
                                 project_id: str | None = None) -> dict[str, str]:
        metadata = queries.update_metadata(
            instance_uuid, project_id, lambda current, project_limits: _merged_metadata(
                current, project_limits, updates, deletes or [], replace))
        MetadataAPI.get().instance_changed(ctx, instance_uuid=instance_uuid)
        return metadata

    def instance_delete(self, ctx: RequestContext, instance_uuid: str,
                        project_id: str | None = None) -> None:
        """Start deleting: at once when no live compute agent holds the instance."""
        source = security_groups.referenced_as_source(instance_uuid)
        instance, on_host, moves = queries.start_delete(
            ctx, instance_uuid, project_id, self.servicegroup.is_up,
            migrations.close_for_delete)
        for move in moves:  # the source of a resize still has the old disk
            ComputeAPI.get().confirm_resize(ctx, host=move["source_compute"],
                                            instance=instance, migration=move)
        if on_host:
            ComputeAPI.get().terminate_instance(ctx, host=instance["host"],
                                                instance=instance)
        else:
            _released(ctx, instance_uuid, instance["host"], source)

    def instance_destroy(self, ctx: RequestContext, instance_uuid: str) -> None:
        """The compute agent has removed the guest: the instance is gone."""
        source = security_groups.referenced_as_source(instance_uuid)
        _released(ctx, instance_uuid, queries.destroy(ctx, instance_uuid), source)

    def instance_power_sync(self, ctx: RequestContext, instance_uuid: str, host: str,
                            power_state: int) -> None:
        """Make the record follow a guest that changed state by itself (no action
        running): a guest that shut itself down is SHUTOFF, one started outside is ACTIVE."""
        queries.follow_guest(instance_uuid, host,
                             lambda vm_state: _followed(vm_state, power_state))
