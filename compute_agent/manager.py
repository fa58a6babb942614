"""The compute agent: builds and removes guests on its host through a virt driver."""
from __future__ import annotations

import collections
import datetime
import logging
import threading
from typing import Any

from compute_agent.rpcapi import ComputeAPI
from compute_agent.virt import driver as virt
from conductor.rpcapi import ConductorAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext, get_admin_context
from stratus.objects import states
from stratus.rpc import endpoint_target

LOG = logging.getLogger(__name__)


def _utcnow_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat()


class ComputeManager:
    target = endpoint_target(ComputeAPI)

    def __init__(self, host: str) -> None:
        self.host = host
        self.driver = virt.load(CONF.compute.virt_driver, host)
        self.conductor = ConductorAPI()
        self._locks: dict[str, threading.Lock] = collections.defaultdict(threading.Lock)

    def init_host(self) -> None:
        self.conductor.compute_node_report(
            get_admin_context(), host=self.host, node=self.driver.nodename,
            resources=self.driver.get_available_resource())

    def build_and_run_instance(self, ctx: RequestContext, instance: dict[str, Any],
                               alternates: list[dict[str, str]]) -> None:
        instance_uuid = instance["uuid"]
        with self._locks[instance_uuid]:
            try:
                self.conductor.instance_update(
                    ctx, instance_uuid=instance_uuid, values={"task_state": states.SPAWNING},
                    expected_task_state=[states.SCHEDULING])
            except (exception.InstanceNotFound, exception.InstanceInvalidState):
                return  # deleted before we started
            try:
                self.driver.spawn(ctx, instance)
            except Exception as e:
                LOG.warning("Build of %s on %s failed: %s", instance_uuid, self.host, e)
                self.driver.destroy(ctx, instance)
                self.conductor.instance_build_failed(
                    ctx, instance_uuid=instance_uuid, host=self.host, reason=str(e),
                    alternates=alternates)
                return
            try:
                self.conductor.instance_update(
                    ctx, instance_uuid=instance_uuid,
                    values={"vm_state": states.ACTIVE, "power_state": states.RUNNING,
                            "task_state": None, "launched_at": _utcnow_iso()},
                    expected_task_state=[states.SPAWNING])
            except (exception.InstanceNotFound, exception.InstanceInvalidState):
                LOG.info("%s was deleted while it spawned; removing the guest", instance_uuid)
                self.driver.destroy(ctx, instance)

    def terminate_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        instance_uuid = instance["uuid"]
        with self._locks[instance_uuid]:
            self.driver.destroy(ctx, instance)
            self.conductor.instance_destroy(ctx, instance_uuid=instance_uuid)
        self._locks.pop(instance_uuid, None)

    def get_console_output(self, ctx: RequestContext, instance: dict[str, Any],
                           length: int | None = None) -> str:
        output = self.driver.get_console_output(instance)
        if length is None or length < 0:
            return output
        lines = output.splitlines(keepends=True)
        return "".join(lines[-length:]) if length else ""
