"""Evacuate: rebuild the instances of a compute host that went down on another host
(seed 5.4.13). Refused while the source host's compute service is up, since both could
then run the same guest."""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from compute_agent.rpcapi import ComputeAPI
from conductor.action_log import record_action, record_event
from conductor.db import api as db
from conductor.db.models import Service
from conductor.instances import cas_update, get_row, instance_dicts, place
from conductor.rpcapi import ConductorAPI
from scheduler.rpcapi import SchedulerAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.objects import states
from stratus.rpc import endpoint_target
from stratus.servicegroup import get_driver

LOG = logging.getLogger(__name__)
EVACUABLE = (states.ACTIVE, states.STOPPED, states.ERROR)


class EvacuateEndpoint:
    target = endpoint_target(ConductorAPI)

    def instance_evacuate(self, ctx: RequestContext, instance_uuid: str,
                          host: str | None = None) -> dict[str, Any]:
        """Start the evacuation: pick and claim a destination (`host` if an admin named
        one), then have its compute agent rebuild the guest from the image."""
        source, spec = self._begin(ctx, instance_uuid, host)
        try:
            candidates = SchedulerAPI().select_destinations(
                ctx, request_spec={**spec, "force_host": host, "force_node": None},
                instance_uuids=[instance_uuid], excluded_hosts=[source])[0]
            instance = self._claim(instance_uuid, candidates)
        except exception.StratusError as e:
            self._abort(ctx, instance_uuid, e)
            raise
        LOG.info("Evacuating %s from %s to %s", instance_uuid, source, instance["host"])
        ComputeAPI().rebuild_instance(ctx, _server=instance["host"], instance=instance)
        return instance

    def _begin(self, ctx: RequestContext, instance_uuid: str,
               host: str | None) -> tuple[str, dict[str, Any]]:
        with db.writer() as s:
            row = get_row(s, instance_uuid)
            if row.vm_state not in EVACUABLE or row.task_state is not None:
                raise exception.InstanceInvalidState(
                    action="evacuate", instance_uuid=instance_uuid, attr="vm_state",
                    state=row.task_state or row.vm_state)
            source = row.host
            if source is None:
                raise exception.Invalid(f"Instance {instance_uuid} is on no host.")
            if host == source:
                raise exception.Invalid(f"The target host {host} is the instance's own host.")
            service = s.scalar(sa.select(Service).where(Service.host == source,
                                                        Service.binary == "stratus-compute"))
            if service is not None and get_driver().is_up(db.to_dict(service)):
                raise exception.Conflict(
                    reason=f"Compute service of {source} is still in use.")
            cas_update(s, row, {"task_state": states.REBUILDING})
            record_action(s, ctx, instance_uuid, "evacuate")
            return source, dict(row.request_spec or {})

    @staticmethod
    def _claim(instance_uuid: str, candidates: list[dict[str, str]]) -> dict[str, Any]:
        refusals = []
        for candidate in candidates:
            with db.writer() as s:
                row = get_row(s, instance_uuid)
                try:
                    place(s, row, candidate["host"], candidate["node"])
                except exception.Conflict as e:
                    refusals.append(str(e.kwargs.get("reason", e)))
                    continue
                return instance_dicts(s, [row])[0]
        raise exception.NoValidHost(reason="; ".join(refusals))

    @staticmethod
    def _abort(ctx: RequestContext, instance_uuid: str, error: exception.StratusError) -> None:
        with db.writer() as s:
            row = get_row(s, instance_uuid)
            cas_update(s, row, {"task_state": None})
            record_event(s, ctx, instance_uuid, "conductor_evacuate", error=error.message)
