"""The build watchdog: a periodic task of every conductor that finds builds which stopped
making progress and resolves them, so no server stays in BUILD because a message was lost
(a broker restart), a conductor died mid-schedule or a compute agent died mid-spawn.

A build is stalled when its row has not changed for `[conductor] build_stall_timeout`.
Each stalled build is taken by one conductor (compare-and-swap on the row's version, which
also restarts its stall clock), then:
  - older than `instance_build_timeout`: ERROR with a fault saying so;
  - never placed (no host): scheduled again;
  - placed: its compute agent is asked (build_status). Still building: left alone.
    Guest running: the lost final update is made. Unknown: the build message is sent
    again (or, once spawning had begun, the build fails over). No answer and the agent is
    down: the build fails over to another host.
"""
from __future__ import annotations

import datetime
import logging
from typing import Any

import sqlalchemy as sa

from compute_agent.rpcapi import ComputeAPI
from conductor.db import api as db
from conductor.db.models import Instance, Service, utcnow
from conductor.instances import InstanceEndpoint, cas_update, get_row, instance_dicts
from conductor.rpcapi import ConductorAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import get_admin_context
from stratus.objects import states
from stratus.periodic import PeriodicTasks
from stratus.rpc import endpoint_target
from stratus.servicegroup import get_driver

LOG = logging.getLogger(__name__)


class BuildWatchdog:
    """Runs in the conductor service (init_host/cleanup_host hooks); no RPC methods."""
    target = endpoint_target(ConductorAPI)

    def __init__(self) -> None:
        self._periodic = PeriodicTasks("build-watchdog")
        self._instances = InstanceEndpoint()

    def init_host(self) -> None:
        self._periodic.add(self._check_builds, CONF.conductor.build_check_interval)
        self._periodic.start()

    def cleanup_host(self) -> None:
        self._periodic.stop()

    def _check_builds(self) -> None:
        for instance_uuid in self._stalled():
            taken = self._take(instance_uuid)
            if taken is not None:
                try:
                    self._resolve(*taken)
                except exception.StratusError as e:
                    LOG.warning("Build watchdog could not resolve %s: %s", instance_uuid, e)

    @staticmethod
    def _cutoff() -> datetime.datetime:
        return utcnow() - datetime.timedelta(seconds=CONF.conductor.build_stall_timeout)

    def _stalled(self) -> list[str]:
        with db.reader() as s:
            return list(s.scalars(sa.select(Instance.uuid).where(
                Instance.vm_state == states.BUILDING, Instance.deleted == 0,
                sa.or_(Instance.task_state.is_(None),
                       Instance.task_state != states.DELETING),
                Instance.updated_at < self._cutoff())))

    def _take(self, instance_uuid: str) -> tuple[dict[str, Any], dict[str, Any],
                                                 float] | None:
        """The build (instance, request spec, age in seconds) if this conductor won it."""
        with db.writer() as s:
            try:
                row = get_row(s, instance_uuid)
            except exception.InstanceNotFound:
                return None
            if row.vm_state != states.BUILDING or row.updated_at >= self._cutoff():
                return None
            age = (utcnow() - row.created_at).total_seconds()
            spec = dict(row.request_spec or {})
            try:
                cas_update(s, row, {})  # ours for this round; its stall clock restarts
            except exception.Conflict:
                return None
            return instance_dicts(s, [row])[0], spec, age

    def _resolve(self, instance: dict[str, Any], spec: dict[str, Any], age: float) -> None:
        ctx = get_admin_context()
        instance_uuid, host = instance["uuid"], instance["host"]
        timeout = CONF.instance_build_timeout
        if timeout and age > timeout:
            LOG.warning("Build of %s timed out after %.0f s", instance_uuid, age)
            self._instances._set_error(
                instance_uuid, 500, f"Build timed out: the server was not ACTIVE "
                f"{timeout} s after it was requested (instance_build_timeout).")
        elif host is None:
            LOG.warning("Build of %s was never placed; scheduling it again", instance_uuid)
            ConductorAPI().schedule_and_build_instances(
                ctx, instance_uuids=[instance_uuid], request_spec=spec,
                excluded_hosts=spec.get("retry_hosts", []))
        else:
            self._ask_compute(ctx, instance, host)

    def _ask_compute(self, ctx: Any, instance: dict[str, Any], host: str) -> None:
        instance_uuid = instance["uuid"]
        try:
            status = ComputeAPI(timeout=5).build_status(ctx, _server=host,
                                                        instance_uuid=instance_uuid)
        except exception.ServiceUnavailable:
            if self._compute_up(host):
                return  # busy, not gone: the next round asks again
            status = "gone"
        if status == "building":
            return
        if status == "running":
            LOG.warning("Build of %s finished on %s but was not recorded", instance_uuid, host)
            self._instances.instance_update(
                ctx, instance_uuid=instance_uuid, expected_vm_state=[states.BUILDING],
                values={"vm_state": states.ACTIVE, "task_state": None,
                        "power_state": states.RUNNING, "launched_at": utcnow().isoformat()})
        elif status == "unknown" and instance["task_state"] == states.SCHEDULING:
            LOG.warning("Build message of %s to %s was lost; sending it again",
                        instance_uuid, host)
            ComputeAPI().build_and_run_instance(ctx, _server=host, instance=instance,
                                                alternates=[])
        else:
            reason = (f"compute host {host} is down" if status == "gone" else
                      f"compute host {host} lost the build")
            LOG.warning("Build of %s failed over: %s", instance_uuid, reason)
            self._instances.instance_build_failed(ctx, instance_uuid=instance_uuid, host=host,
                                                  reason=reason, alternates=[])

    @staticmethod
    def _compute_up(host: str) -> bool:
        with db.reader() as s:
            service = s.scalar(sa.select(Service).where(Service.host == host,
                                                        Service.binary == "stratus-compute"))
            return service is not None and get_driver().is_up(db.to_dict(service))
