"""The evacuate endpoint: rebuild the instances of a compute host that went down on
another host (seed 5.4.13). Refused while the source host's compute service is up, since
both could then run the same guest. The rows are read and written by
conductor/compute/queries/evacuations.py and placement.py."""
from __future__ import annotations

import logging
from typing import Any

from compute_agent.rpcapi import ComputeAPI
from conductor.compute.queries import evacuations, placement
from conductor.rpcapi.compute import ComputeConductorAPI
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.objects import states
from stratus.objects.request_spec import Destination
from stratus.rpc import endpoint_target
from stratus.servicegroup import get_driver

LOG = logging.getLogger(__name__)
EVACUABLE = (states.ACTIVE, states.STOPPED, states.ERROR)


def _check_evacuable(instance: dict[str, Any], service: dict[str, Any] | None,
                     host: str | None) -> None:
    """The instance may leave its host for `host` (any when None): it is idle in an
    evacuable state, on a host other than `host` whose compute service is down."""
    instance_uuid = instance["uuid"]
    if instance["vm_state"] not in EVACUABLE or instance["task_state"] is not None:
        raise exception.InstanceInvalidState(
            action="evacuate", instance_uuid=instance_uuid, attr="vm_state",
            state=instance["task_state"] or instance["vm_state"])
    source = instance["host"]
    if source is None:
        raise exception.Invalid(f"Instance {instance_uuid} is on no host.")
    if host == source:
        raise exception.Invalid(f"The target host {host} is the instance's own host.")
    if service is not None and get_driver().is_up(service):
        raise exception.Conflict(reason=f"Compute service of {source} is still in use.")


class EvacuateEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def instance_evacuate(self, ctx: RequestContext, instance_uuid: str,
                          host: str | None = None, stop: bool = False) -> dict[str, Any]:
        """Start the evacuation: pick and claim a destination (`host` if an admin named
        one), then have its compute agent rebuild the guest from the image (and leave it
        off with `stop`, as 2.95 wants)."""
        source, spec = evacuations.begin_evacuation(
            ctx, instance_uuid, lambda instance, service: _check_evacuable(
                instance, service, host))
        try:
            candidates = SchedulerAPI.get().select_destinations(
                ctx, request_spec=spec.model_copy(update={
                    "force_host": host, "force_node": None, "retry_hosts": [source]}),
                instance_uuids=[instance_uuid])[0]
            instance = self._claim(instance_uuid, candidates)
        except exception.StratusError as e:
            evacuations.abort_evacuation(ctx, instance_uuid, e.message)
            raise
        LOG.info("Evacuating %s from %s to %s", instance_uuid, source, instance["host"])
        # The agent rebuilds a stopped instance into a stopped guest: say it is one.
        rebuilt = {**instance, "vm_state": states.STOPPED} if stop else instance
        ComputeAPI.get().rebuild_instance(ctx, host=instance["host"], instance=rebuilt)
        return instance

    @staticmethod
    def _claim(instance_uuid: str, candidates: list[Destination]) -> dict[str, Any]:
        refusals = []
        for candidate in candidates:
            try:
                return placement.move_claim(instance_uuid, candidate.host, candidate.node)
            except exception.Conflict as e:
                refusals.append(str(e.kwargs.get("reason", e)))
        raise exception.NoValidHost(reason="; ".join(refusals))
