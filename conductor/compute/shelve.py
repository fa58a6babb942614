"""The unshelve endpoint: an offloaded instance (no host, its guest gone, its disk in the
shelved image) is scheduled anew and spawned from that image, as Nova's conductor does.
Shelving, offloading and unshelving in place are the compute agent's."""
from __future__ import annotations

import logging
from typing import Any

from compute_agent.rpcapi import ComputeAPI
from conductor.compute.evacuate import EvacuateEndpoint
from conductor.compute.queries import unshelving
from conductor.rpcapi.compute import ComputeConductorAPI
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

LOG = logging.getLogger(__name__)


class ShelveEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def instance_unshelve(self, ctx: RequestContext, instance_uuid: str,
                          project_id: str | None = None,
                          availability_zone: str | None = None, host: str | None = None,
                          unpin: bool = False) -> dict[str, Any]:
        """Pick and claim a host for the offloaded instance (`host` if an admin named one,
        the filters still run; in `availability_zone`, which it then keeps, if given; in
        any zone with `unpin`) and have its agent spawn it from the shelved image;
        NoValidHost (the instance stays offloaded) when none fits."""
        spec = unshelving.begin_unshelve(ctx, instance_uuid, project_id, availability_zone,
                                         unpin)
        try:
            candidates = SchedulerAPI.get().select_destinations(
                ctx, request_spec=spec.model_copy(update={
                    "retry_hosts": [], "requested_host": host, "requested_node": None}),
                instance_uuids=[instance_uuid])[0]
            instance = EvacuateEndpoint._claim(instance_uuid, candidates)
        except exception.StratusError as e:
            unshelving.abort_unshelve(ctx, instance_uuid, e.message)
            raise
        LOG.info("Unshelving %s on %s", instance_uuid, instance["host"])
        ComputeAPI.get().unshelve_instance(ctx, host=instance["host"], instance=instance,
                                           image_id=instance["shelved_image_id"])
        return instance
