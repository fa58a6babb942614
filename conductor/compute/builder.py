"""The build orchestration, shared by the instances endpoint and the build watchdog: the
scheduler picks hosts, the conductor claims one atomically, the compute agent spawns; a
failed build is retried elsewhere until `[scheduler] max_attempts`, then ends in ERROR."""
from __future__ import annotations

import logging
from typing import Any

from compute_agent.rpcapi import ComputeAPI
from conductor.compute.queries import builds, placement
from conductor.network.queries import floating_ips
from conductor.network.queries import networks as network
from conductor.network.queries import security_groups
from network_agent.rpcapi import NetworkAgentAPI
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.objects.request_spec import Destination, RequestSpec

LOG = logging.getLogger(__name__)


def schedule_and_build(ctx: RequestContext, instance_uuids: list[str],
                       request_spec: RequestSpec) -> None:
    """Place each instance on one of the scheduler's candidates and start its build; all
    in ERROR when the scheduler finds none."""
    try:
        destinations = SchedulerAPI.get().select_destinations(
            ctx, request_spec=request_spec, instance_uuids=instance_uuids)
    except exception.StratusError as e:
        details = str(e.kwargs.get("details", ""))
        for instance_uuid in instance_uuids:
            builds.set_error(instance_uuid, e.code if e.code != 503 else 500, e.message,
                             details, ctx=ctx)
        return
    for instance_uuid, candidates in zip(instance_uuids, destinations):
        claim_and_build(ctx, instance_uuid, candidates, request_spec.requested_networks)


def _with_networks(ctx: RequestContext, instance: dict[str, Any], host: str,
                   requested: network.Requested) -> dict[str, Any] | None:
    """The claimed instance with its NICs and fixed IPs (allocated once; a rescheduled
    build keeps them); None, the instance in ERROR, when it cannot have them."""
    try:
        instance["network_info"] = network.allocate_for_instance(
            instance["uuid"], instance["project_id"], host, requested)
    except exception.InstanceNotFound:
        return None
    except exception.StratusError as e:
        LOG.info("No network for %s: %s", instance["uuid"], e.message)
        builds.set_error(instance["uuid"], e.code, f"Build of instance {instance['uuid']} "
                         f"failed to allocate its network: {e.message}")
        return None
    if CONF.network.auto_assign_floating_ip and instance["network_info"]:
        instance["network_info"] = _auto_assign(instance, host)
    if instance["network_info"] and security_groups.referenced_as_source(instance["uuid"]):
        # Its address joins the rules that name its groups as their source, on every host.
        NetworkAgentAPI.get().security_groups_changed(ctx)
    return instance


def _auto_assign(instance: dict[str, Any], host: str) -> list[dict[str, Any]]:
    """A floating IP of the default pool for the new server (auto_assign_floating_ip;
    released with it). A pool that has none left costs the server only its floating
    IP, said in the log."""
    try:
        found = floating_ips.allocate(instance["project_id"], None, auto_assigned=True)
        floating_ips.associate(instance["project_id"], found["address"], instance["uuid"])
    except exception.StratusError as e:
        LOG.warning("No floating IP for %s: %s", instance["uuid"], e.message)
        return list(instance["network_info"])
    return network.instance_network_info(instance["uuid"])


def claim_and_build(ctx: RequestContext, instance_uuid: str,
                    candidates: list[Destination],
                    requested_networks: network.Requested = None) -> None:
    """Claim the first candidate the instance still fits on, give it its networks and
    have its compute agent build it (the later candidates are its alternates); ERROR
    when none fits or it can have no address."""
    refusals = []
    for index, candidate in enumerate(candidates):
        try:
            instance = placement.claim(instance_uuid, candidate.host, candidate.node)
        except exception.InstanceNotFound:
            return  # deleted while it was being scheduled
        except exception.Conflict as e:
            LOG.info("Claim of %s on %s failed: %s", instance_uuid, candidate.host, e)
            refusals.append(str(e.kwargs.get("reason", e)))
            continue
        if instance is None:
            return
        instance = _with_networks(ctx, instance, candidate.host, requested_networks)
        if instance is None:
            return
        ComputeAPI.get().build_and_run_instance(
            ctx, host=candidate.host, instance=instance,
            alternates=candidates[index + 1:])
        return
    builds.set_error(instance_uuid, 500,
                     f"No valid host was found. Every candidate host ran out of room "
                     f"while the build was placed ({'; '.join(refusals)}).")


def build_failed(ctx: RequestContext, instance_uuid: str, host: str, reason: str,
                 alternates: list[Destination], retryable: bool = True) -> None:
    """A compute agent could not build: try elsewhere (the alternates, else hosts the
    scheduler picks anew) or end in ERROR."""
    spec = builds.return_to_scheduling(ctx, instance_uuid, host, reason)
    if spec is None:
        return
    tried = spec.retry_hosts
    failure = f"Build of instance {instance_uuid} failed after {len(tried)} attempt(s): " \
              f"{reason}"
    if not retryable or len(tried) >= CONF.scheduler.max_attempts:
        builds.set_error(instance_uuid, 500, failure)
        return
    if not alternates:
        try:
            alternates = SchedulerAPI.get().select_destinations(
                ctx, request_spec=spec, instance_uuids=[instance_uuid])[0]
        except exception.StratusError as e:
            builds.set_error(instance_uuid, 500, f"{failure}. {e.message}")
            return
    claim_and_build(ctx, instance_uuid, alternates, spec.requested_networks)
