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

from compute_agent.rpcapi import ComputeAPI
from conductor.compute import builder
from conductor.compute.queries import builds, instances
from conductor.db.base import utcnow
from conductor.hosts import queries as hosts
from conductor.rpcapi.compute import ComputeConductorAPI
from stratus import exception
from stratus.availability_zones import COMPUTE_BINARY
from stratus.config import CONF
from stratus.context import get_admin_context
from stratus.objects import states
from stratus.objects.request_spec import RequestSpec
from stratus.periodic import PeriodicTasks
from stratus.servicegroup import get_driver

LOG = logging.getLogger(__name__)


class BuildWatchdog:
    """A background task of the conductor service (conductor/service.py starts and stops
    it with the service); no RPC methods."""

    def __init__(self) -> None:
        self._periodic = PeriodicTasks("build-watchdog")

    def start(self) -> None:
        self._periodic.add(self._check_builds, CONF.conductor.build_check_interval)
        self._periodic.start()

    def stop(self) -> None:
        self._periodic.stop()

    def _check_builds(self) -> None:
        for instance_uuid in builds.stalled_builds(self._cutoff()):
            taken = builds.take_stalled_build(instance_uuid, self._cutoff())
            if taken is not None:
                try:
                    self._resolve(*taken)
                except exception.StratusError as e:
                    LOG.warning("Build watchdog could not resolve %s: %s", instance_uuid, e)

    @staticmethod
    def _cutoff() -> datetime.datetime:
        return utcnow() - datetime.timedelta(seconds=CONF.conductor.build_stall_timeout)

    def _resolve(self, instance: dict[str, Any], spec: RequestSpec, age: float) -> None:
        ctx = get_admin_context()
        instance_uuid, host = instance["uuid"], instance["host"]
        timeout = CONF.instance_build_timeout
        if timeout and age > timeout:
            LOG.warning("Build of %s timed out after %.0f s", instance_uuid, age)
            builds.set_error(
                instance_uuid, 500, f"Build timed out: the server was not ACTIVE "
                f"{timeout} s after it was requested (instance_build_timeout).")
        elif host is None:
            LOG.warning("Build of %s was never placed; scheduling it again", instance_uuid)
            ComputeConductorAPI.get().schedule_and_build_instances(
                ctx, instance_uuids=[instance_uuid], request_spec=spec)
        else:
            self._ask_compute(ctx, instance, host)

    def _ask_compute(self, ctx: Any, instance: dict[str, Any], host: str) -> None:
        instance_uuid = instance["uuid"]
        try:
            status = ComputeAPI.get().build_status(ctx, host=host, instance_uuid=instance_uuid)
        except exception.ServiceUnavailable:
            if self._compute_up(host):
                return  # busy, not gone: the next round asks again
            status = "gone"
        if status == "building":
            return
        if status == "running":
            LOG.warning("Build of %s finished on %s but was not recorded", instance_uuid, host)
            instances.update_instance(
                instance_uuid, vm_states=[states.BUILDING],
                values={"vm_state": states.ACTIVE, "task_state": None,
                        "power_state": states.RUNNING, "launched_at": utcnow().isoformat()})
        elif status == "unknown" and instance["task_state"] == states.SCHEDULING:
            LOG.warning("Build message of %s to %s was lost; sending it again",
                        instance_uuid, host)
            ComputeAPI.get().build_and_run_instance(ctx, host=host, instance=instance,
                                                    alternates=[])
        else:
            reason = (f"compute host {host} is down" if status == "gone" else
                      f"compute host {host} lost the build")
            LOG.warning("Build of %s failed over: %s", instance_uuid, reason)
            builder.build_failed(ctx, instance_uuid, host, reason, alternates=[])

    @staticmethod
    def _compute_up(host: str) -> bool:
        found = hosts.services(host=host, binary=COMPUTE_BINARY)
        return bool(found) and get_driver().is_up(found[0])
