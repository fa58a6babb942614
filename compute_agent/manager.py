"""The compute agent: builds and removes guests on its host through a virt driver."""
from __future__ import annotations

import collections
import datetime
import pathlib
import tempfile
import logging
import threading
from typing import Any, Callable

from compute_agent import image_service
from stratus.audit_period import last_completed_audit_period
from stratus.periodic import PeriodicTasks
from compute_agent.rpcapi import ComputeAPI
from compute_agent.virt import configdrive
from compute_agent.virt import driver as virt
from conductor import rpcapi as conductor_rpcapi
from network_agent.rpcapi import NetworkAgentAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext, get_admin_context
from stratus.objects import states
from stratus.objects.flavor_columns import flavor_columns
from stratus.rpc import endpoint_target
from stratus.stopwatch import Stopwatch

LOG = logging.getLogger(__name__)
# Seconds between two looks at whether the last completed audit period is recorded (as
# often as Nova's periodic tasks run); the audit itself runs once per period.
USAGE_AUDIT_CHECK_INTERVAL = 60.0
# At most this many seconds between two looks for resizes to confirm by themselves.
RESIZE_POLL_INTERVAL = 60.0


def _utcnow_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat()


def _config_drive_given(instance: dict[str, Any]) -> dict[str, str]:
    """config_drive for a server given a drive it did not ask for (forced, or a network
    without DHCP), so that the API shows it, as Nova does."""
    if instance.get("config_drive") or not configdrive.wanted(instance):
        return {}
    return {"config_drive": "True"}


class ComputeManager:
    target = endpoint_target(ComputeAPI)

    def __init__(self, host: str) -> None:
        self.host = host
        self.driver = virt.load(CONF.compute.virt_driver, host)
        self.conductor = conductor_rpcapi.client()
        self._locks: dict[str, threading.Lock] = collections.defaultdict(threading.Lock)
        self.periodic = PeriodicTasks(f"periodic-{host}")
        self._building: set[str] = set()

    def init_host(self) -> None:
        self.driver.lifecycle_listener = self._on_power_change
        self.conductor.compute_node_report(
            get_admin_context(), host=self.host, node=self.driver.nodename,
            resources=self.driver.get_available_resource())
        self._recover_after_restart()
        self.periodic.add(self._sync_power_states, CONF.compute.sync_power_state_interval)
        self.periodic.add(self._age_image_cache, CONF.compute.image_cache_manager_interval)
        self.periodic.add(self._reclaim_queued_deletes, CONF.reclaim_instance_interval)
        if CONF.shelved_offload_time > 0:
            self.periodic.add(self._poll_shelved_instances, CONF.shelved_poll_interval)
        if CONF.instance_usage_audit:
            self.periodic.add(self._instance_usage_audit, USAGE_AUDIT_CHECK_INTERVAL)
        if CONF.resize_confirm_window > 0:
            self.periodic.add(self._poll_unconfirmed_resizes,
                              min(CONF.resize_confirm_window, RESIZE_POLL_INTERVAL))
        self.periodic.start()

    def _recover_after_restart(self) -> None:
        """Finish what a previous run of this agent left half done: builds it was
        spawning fail over to other hosts, deletes complete, and actions it was running
        (reboot, stop, ...) end with the record following the guest."""
        ctx = get_admin_context()
        for instance in self._my_instances():
            task = instance["task_state"]
            try:
                if task == states.DELETING:
                    self.terminate_instance(ctx, instance)
                elif instance["vm_state"] == states.BUILDING:
                    self.driver.destroy(ctx, instance)
                    self.conductor.instance_build_failed(
                        ctx, instance_uuid=instance["uuid"], host=self.host,
                        reason="the compute agent restarted during the build", alternates=[])
                elif task is not None:
                    self._clear_task(ctx, instance)
            except exception.StratusError as e:
                LOG.warning("Could not recover %s after a restart: %s", instance["uuid"], e)

    def _clear_task(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        power = self.driver.power_state(instance)
        vm_state = {states.RUNNING: states.ACTIVE, states.SHUTDOWN: states.STOPPED,
                    states.PAUSED_POWER: states.PAUSED}.get(power, instance["vm_state"])
        LOG.info("Clearing task %s of %s left by a restart (guest power state %s)",
                 instance["task_state"], instance["uuid"], power)
        self.conductor.instance_update(
            ctx, instance_uuid=instance["uuid"], expected_task_state=instance["task_state"],
            values={"task_state": None, "vm_state": vm_state, "power_state": power})

    def build_status(self, ctx: RequestContext, instance_uuid: str) -> str:
        """What this agent knows of a build the conductor sees make no progress:
        building (still spawning), running (the guest exists) or unknown."""
        if instance_uuid in self._building:
            return "building"
        return "running" if instance_uuid in self.driver.list_instances() else "unknown"

    def cleanup_host(self) -> None:
        self.periodic.stop()

    def _my_instances(self) -> list[dict[str, Any]]:
        return list(self.conductor.instance_list(get_admin_context(),
                                                 filters={"host": self.host}))

    def _sync_power_states(self) -> None:
        """The safety net behind lifecycle events: make every record match its guest."""
        for instance in self._my_instances():
            if instance["task_state"] is not None:
                continue
            actual = self.driver.power_state(instance)
            if actual != instance["power_state"]:
                self._on_power_change(instance["uuid"], actual)

    def _reclaim_queued_deletes(self) -> None:
        """Delete for good the soft-deleted servers kept longer than
        reclaim_instance_interval."""
        cutoff = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - \
            datetime.timedelta(seconds=CONF.reclaim_instance_interval)
        ctx = get_admin_context()
        for instance in self._my_instances():
            if instance["vm_state"] != states.SOFT_DELETED or instance["task_state"]:
                continue
            if datetime.datetime.fromisoformat(instance["updated_at"]) > cutoff:
                continue
            LOG.info("Reclaiming soft-deleted %s", instance["uuid"])
            try:
                self.conductor.instance_delete(ctx, instance_uuid=instance["uuid"])
            except exception.StratusError as e:
                LOG.warning("Could not reclaim %s: %s", instance["uuid"], e)

    def _age_image_cache(self) -> None:
        in_use = set()
        for instance in self._my_instances():
            in_use.update(i for i in (instance["image_ref"], instance["kernel_id"],
                                      instance["ramdisk_id"]) if i)
        removed = self.driver.age_image_cache(
            in_use, CONF.compute.remove_unused_original_minimum_age_seconds)
        if removed:
            LOG.info("Removed unused cached images: %s", ", ".join(removed))

    def _instance_usage_audit(self) -> dict[str, Any] | None:
        """Audit this host's instance usage of the last completed audit period, once per
        period: the conductor counts the instances that were active here then and records
        it in the task log (os-instance_usage_audit_log). The new record, else None."""
        if not CONF.instance_usage_audit:
            return None
        begin, end = last_completed_audit_period(CONF.instance_usage_audit_period)
        record = self.conductor.instance_usage_audit(
            get_admin_context(), host=self.host, period_beginning=begin.isoformat(),
            period_ending=end.isoformat())
        if record is not None:
            LOG.info("Instance usage audit for host %s from %s to %s: %d instances.",
                     self.host, begin, end, record["task_items"])
        return record

    def build_and_run_instance(self, ctx: RequestContext, instance: dict[str, Any],
                               alternates: list[dict[str, str]]) -> None:
        instance_uuid = instance["uuid"]
        self._building.add(instance_uuid)
        try:
            self._build(ctx, instance, alternates)
        finally:
            self._building.discard(instance_uuid)

    def _build(self, ctx: RequestContext, instance: dict[str, Any],
               alternates: list[dict[str, str]]) -> None:
        instance_uuid = instance["uuid"]
        with self._locks[instance_uuid]:
            clock = Stopwatch()
            try:
                self.conductor.instance_update(
                    ctx, instance_uuid=instance_uuid, values={"task_state": states.SPAWNING},
                    expected_task_state=[states.SCHEDULING])
            except (exception.InstanceNotFound, exception.InstanceInvalidState):
                return  # deleted before we started
            clock.lap("claim")
            try:
                if instance.get("network_info"):
                    self._plug(ctx, instance)
                    clock.lap("network")
                self.driver.spawn(ctx, instance)
                clock.lap("spawn")
            except Exception as e:
                LOG.warning("Build of %s on %s failed: %s", instance_uuid, self.host, e)
                self.driver.destroy(ctx, instance)
                self.conductor.instance_build_failed(
                    ctx, instance_uuid=instance_uuid, host=self.host, reason=str(e),
                    alternates=alternates,
                    retryable=not isinstance(e, exception.Invalid))  # bad input fails anywhere
                return
            done = self.conductor.instance_action_finish(
                ctx, instance_uuid=instance_uuid, event="compute__do_build_and_run_instance",
                values={"vm_state": states.ACTIVE, "power_state": states.RUNNING,
                        "launched_at": _utcnow_iso(), "task_state": None,
                        **_config_drive_given(instance)},
                expected_task_state=states.SPAWNING, host=self.host)
            if done is None:
                LOG.info("%s was deleted while it spawned; removing the guest", instance_uuid)
                self.driver.destroy(ctx, instance)
                return
            clock.lap("active")
            LOG.info("Built %s on %s in %s", instance_uuid, self.host, clock)

    def _plug(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        """Have this host's network agent ready the instance's networks for its NICs."""
        if instance.get("network_info"):
            NetworkAgentAPI.get().setup_instance_network(
                ctx, host=self.host, network_info=instance["network_info"])

    def terminate_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        instance_uuid = instance["uuid"]
        with self._locks[instance_uuid]:
            self.driver.destroy(ctx, instance)
            self.conductor.instance_destroy(ctx, instance_uuid=instance_uuid)
        self._locks.pop(instance_uuid, None)

    def get_console_output(self, ctx: RequestContext, instance: dict[str, Any],
                           length: int | None = None) -> str:
        """The console log, or its last `length` pieces between newlines, counted as Nova
        counts them (a log ending in a newline ends in an empty piece; 0 or less: all)."""
        output = self.driver.get_console_output(instance)
        pieces = output.split("\n")
        if length is None or not 0 < length < len(pieces):
            return output
        return "\n".join(pieces[-length:])

    # --- power actions -------------------------------------------------------------

    def _perform(self, ctx: RequestContext, instance: dict[str, Any], event: str,
                 task_state: str, work: Callable[[], None], vm_state: str,
                 failed_vm_state: str | None = None) -> None:
        """Run a driver call for an action begun by the API, then record its outcome
        (on failure the vm_state stays, or becomes `failed_vm_state`)."""
        instance_uuid = instance["uuid"]
        values: dict[str, Any] = {"task_state": None}
        error = None
        with self._locks[instance_uuid]:
            try:
                work()
                values["vm_state"] = vm_state
            except Exception as e:
                LOG.warning("%s of %s failed: %s", event, instance_uuid, e)
                error = f"{type(e).__name__}: {e}"
                if failed_vm_state is not None:
                    values["vm_state"] = failed_vm_state
            values["power_state"] = self.driver.power_state(instance)
            self.conductor.instance_action_finish(
                ctx, instance_uuid=instance_uuid, event=event, values=values,
                expected_task_state=task_state, host=self.host, error=error)

    def stop_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._perform(ctx, instance, "compute_stop_instance", states.POWERING_OFF,
                      lambda: self.driver.power_off(instance, CONF.compute.shutdown_timeout),
                      states.STOPPED)

    def start_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._perform(ctx, instance, "compute_start_instance", states.POWERING_ON,
                      lambda: self.driver.power_on(instance), states.ACTIVE)

    def reboot_instance(self, ctx: RequestContext, instance: dict[str, Any],
                        reboot_type: str) -> None:
        hard = reboot_type == "HARD"
        self._perform(ctx, instance, "compute_reboot_instance",
                      states.REBOOTING_HARD if hard else states.REBOOTING,
                      lambda: self.driver.reboot(instance, hard, CONF.compute.shutdown_timeout),
                      states.ACTIVE)

    def pause_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._perform(ctx, instance, "compute_pause_instance", states.PAUSING,
                      lambda: self.driver.pause(instance), states.PAUSED)

    def unpause_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._perform(ctx, instance, "compute_unpause_instance", states.UNPAUSING,
                      lambda: self.driver.unpause(instance), states.ACTIVE)

    def suspend_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._perform(ctx, instance, "compute_suspend_instance", states.SUSPENDING,
                      lambda: self.driver.suspend(instance), states.SUSPENDED)

    def resume_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._perform(ctx, instance, "compute_resume_instance", states.RESUMING,
                      lambda: self.driver.resume(instance), states.ACTIVE)

    def rescue_instance(self, ctx: RequestContext, instance: dict[str, Any],
                        image_id: str) -> None:
        self._perform(ctx, instance, "compute_rescue_instance", states.RESCUING,
                      lambda: self.driver.rescue(ctx, instance, image_id), states.RESCUED)

    def unrescue_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._perform(ctx, instance, "compute_unrescue_instance", states.UNRESCUING,
                      lambda: self.driver.unrescue(ctx, instance), states.ACTIVE)

    def set_admin_password(self, ctx: RequestContext, instance: dict[str, Any],
                           new_pass: str) -> None:
        self._perform(ctx, instance, "compute_set_admin_password", states.UPDATING_PASSWORD,
                      lambda: self.driver.set_admin_password(instance, new_pass),
                      states.ACTIVE)

    def trigger_crash_dump(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        """No task state: the guest carries on (after its reboot) as it was."""
        error = None
        with self._locks[instance["uuid"]]:
            try:
                self.driver.trigger_crash_dump(instance)
            except Exception as e:
                LOG.warning("Crash dump of %s failed: %s", instance["uuid"], e)
                error = f"{type(e).__name__}: {e}"
            self.conductor.instance_action_finish(
                ctx, instance_uuid=instance["uuid"], event="compute_trigger_crash_dump",
                values={}, expected_task_state=None, host=self.host, error=error)

    def soft_delete_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._perform(ctx, instance, "compute_soft_delete_instance", states.SOFT_DELETING,
                      lambda: self._power_off_if_on(instance), states.SOFT_DELETED)

    def restore_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._perform(ctx, instance, "compute_restore_instance", states.RESTORING,
                      lambda: self.driver.power_on(instance), states.ACTIVE)

    def rebuild_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        """Replace the guest with a fresh one from the instance's (new) image; a stopped
        server stays stopped (as in Nova)."""
        was_stopped = instance["vm_state"] == states.STOPPED

        def work() -> None:
            self.driver.destroy(ctx, instance)
            self.driver.spawn(ctx, instance)
            if was_stopped:
                self.driver.power_off(instance, 0)
        self._perform(ctx, instance, "compute_rebuild_instance", states.REBUILDING, work,
                      states.STOPPED if was_stopped else states.ACTIVE,
                      failed_vm_state=states.ERROR)

    def get_diagnostics(self, ctx: RequestContext, instance: dict[str, Any]) -> dict[str, Any]:
        return self.driver.get_diagnostics(instance)

    def get_host_uptime(self, ctx: RequestContext) -> str:
        return self.driver.get_host_uptime()

    # --- snapshots --------------------------------------------------------------------

    def snapshot_instance(self, ctx: RequestContext, instance: dict[str, Any],
                          image_id: str) -> None:
        """Copy the root disk into the (queued) image the API created, then upload it."""
        self._image_from_disk(ctx, instance, image_id, states.IMAGE_SNAPSHOT,
                              "compute_snapshot_instance")

    def backup_instance(self, ctx: RequestContext, instance: dict[str, Any], image_id: str,
                        backup_type: str, rotation: int) -> None:
        """A snapshot kept as a backup; then the oldest of the server's backups of
        `backup_type` beyond `rotation` are deleted (rotation 0: this one too, as Nova)."""
        def rotate() -> None:
            try:
                removed = image_service.rotate_backups(ctx, instance["uuid"], backup_type,
                                                       rotation, newest=image_id)
            except Exception as e:  # the backup itself is made; the next one rotates
                LOG.warning("Rotating the backups of %s failed: %s", instance["uuid"], e)
                return
            if removed:
                LOG.info("Backups of %s rotated out: %s", instance["uuid"], ", ".join(removed))
        self._image_from_disk(ctx, instance, image_id, states.IMAGE_BACKUP,
                              "compute_backup_instance", then=rotate)

    def _image_from_disk(self, ctx: RequestContext, instance: dict[str, Any], image_id: str,
                         task_state: str, event: str,
                         then: Callable[[], None] | None = None,
                         before: Callable[[], None] | None = None,
                         done: dict[str, Any] | None = None) -> bool:
        """Run `before`, snapshot the root disk into `image_id`, run `then` once it is
        uploaded, and finish the action writing `done` (on failure the image is deleted
        and the action has the fault); whether it worked."""
        instance_uuid = instance["uuid"]
        error = None
        values: dict[str, Any] = {"task_state": None}
        with self._locks[instance_uuid], tempfile.TemporaryDirectory() as work:
            try:
                if before is not None:
                    before()
                path = pathlib.Path(work, "snapshot")
                disk_format = self.driver.snapshot(instance, path)
                image_service.set_disk_format(ctx, image_id, disk_format)
                image_service.upload(ctx, image_id, path)
                if then is not None:
                    then()
                values.update(done or {})
            except Exception as e:
                LOG.warning("Snapshot of %s failed: %s", instance_uuid, e)
                error = f"{type(e).__name__}: {e}"
                image_service.delete(ctx, image_id)
            self.conductor.instance_action_finish(
                ctx, instance_uuid=instance_uuid, event=event, values=values,
                expected_task_state=task_state, host=self.host, error=error)
        return error is None

    # --- shelving ----------------------------------------------------------------------

    def shelve_instance(self, ctx: RequestContext, instance: dict[str, Any], image_id: str,
                        offload: bool) -> None:
        """Power off and snapshot into the shelved image: SHELVED, then (with `offload`,
        shelved_offload_time 0) at once SHELVED_OFFLOADED."""
        shelved = self._image_from_disk(
            ctx, instance, image_id, states.SHELVING, "compute_shelve_instance",
            before=lambda: self._power_off_if_on(instance),
            done={"vm_state": states.SHELVED, "power_state": states.SHUTDOWN})
        if shelved and offload:
            self._offload(ctx, instance, expected_task_state=None)

    def shelve_offload_instance(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._offload(ctx, instance, expected_task_state=states.SHELVING_OFFLOADING)

    def _offload(self, ctx: RequestContext, instance: dict[str, Any],
                 expected_task_state: str | None) -> None:
        """Remove the shelved guest: the instance keeps no host (its resources are free)
        until it is unshelved from its image."""
        with self._locks[instance["uuid"]]:
            self.driver.destroy(ctx, instance)
            self.conductor.instance_update(
                ctx, instance_uuid=instance["uuid"], expected_task_state=expected_task_state,
                expected_vm_state=[states.SHELVED],
                values={"vm_state": states.SHELVED_OFFLOADED, "task_state": None,
                        "host": None, "node": None, "power_state": states.NOSTATE})
        self._locks.pop(instance["uuid"], None)

    def unshelve_instance(self, ctx: RequestContext, instance: dict[str, Any],
                          image_id: str | None) -> None:
        """A shelved guest powers on again; an offloaded one is spawned here from the
        shelved image (on failure it stays offloaded). The shelved image then goes."""
        instance_uuid = instance["uuid"]
        values: dict[str, Any] = {"task_state": None}
        error = None
        with self._locks[instance_uuid]:
            try:
                if image_id is None:
                    self.driver.power_on(instance)
                else:
                    self._plug(ctx, instance)
                    self.driver.spawn(ctx, {**instance, "image_ref": image_id})
                values.update(vm_state=states.ACTIVE, shelved_image_id=None,
                              power_state=self.driver.power_state(instance))
                self._delete_shelved_image(ctx, image_id or instance["shelved_image_id"])
            except Exception as e:
                LOG.warning("Unshelve of %s failed: %s", instance_uuid, e)
                error = f"{type(e).__name__}: {e}"
                if image_id is not None:
                    self.driver.destroy(ctx, instance)
                    values.update(host=None, node=None, power_state=states.NOSTATE)
            self.conductor.instance_action_finish(
                ctx, instance_uuid=instance_uuid, event="compute_unshelve_instance",
                values=values, expected_task_state=states.UNSHELVING, host=self.host,
                error=error)

    @staticmethod
    def _delete_shelved_image(ctx: RequestContext, image_id: str | None) -> None:
        """The snapshot is no longer needed once the server runs again (a failure to
        delete it leaves an image behind, not a broken server)."""
        if not image_id:
            return
        try:
            image_service.delete(ctx, image_id)
        except Exception as e:
            LOG.warning("Could not delete shelved image %s: %s", image_id, e)

    def _power_off_if_on(self, instance: dict[str, Any]) -> None:
        if self.driver.power_state(instance) != states.SHUTDOWN:
            self.driver.power_off(instance, CONF.compute.shutdown_timeout)

    def _poll_shelved_instances(self) -> None:
        """Offload the servers shelved here longer than shelved_offload_time."""
        cutoff = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - \
            datetime.timedelta(seconds=CONF.shelved_offload_time)
        ctx = get_admin_context()
        for instance in self._my_instances():
            if instance["vm_state"] != states.SHELVED or instance["task_state"] or \
                    datetime.datetime.fromisoformat(instance["updated_at"]) > cutoff:
                continue
            try:
                self._offload(ctx, instance, expected_task_state=None)
            except exception.StratusError as e:
                LOG.warning("Could not offload %s: %s", instance["uuid"], e)

    # --- moves (resize, cold migration) ----------------------------------------------

    def _move_failed(self, ctx: RequestContext, instance: dict[str, Any],
                     migration: dict[str, Any], error: Exception,
                     values: dict[str, Any]) -> None:
        LOG.warning("%s of %s failed on %s: %s", migration["migration_type"],
                    instance["uuid"], self.host, error)
        self.conductor.migration_failed(
            ctx, migration_id=migration["id"], error=f"{type(error).__name__}: {error}",
            host=self.host, values=values)

    def resize_instance(self, ctx: RequestContext, instance: dict[str, Any],
                        migration: dict[str, Any]) -> None:
        """Source of a move: the guest off and its disk set aside, then the destination
        finishes. On failure the instance stays here as its guest is."""
        progress = self.conductor.migration_progress
        with self._locks[instance["uuid"]]:
            if progress(ctx, migration_id=migration["id"], status="migrating",
                        task_state=states.RESIZE_MIGRATING,
                        expected_task_state=states.RESIZE_PREP) is None:
                return  # deleted before we started
            try:
                disk_info = self.driver.migrate_disk_and_power_off(
                    ctx, instance, migration["dest_compute"], migration["new_flavor"],
                    CONF.compute.shutdown_timeout)
            except Exception as e:
                power = self.driver.power_state(instance)
                self._move_failed(ctx, instance, migration, e, {
                    "power_state": power,
                    "vm_state": states.ACTIVE if power == states.RUNNING else states.STOPPED})
                return
            moved = progress(ctx, migration_id=migration["id"], status="post-migrating",
                             task_state=states.RESIZE_MIGRATED,
                             expected_task_state=states.RESIZE_MIGRATING)
        if moved is not None:
            ComputeAPI.get().finish_resize(ctx, host=migration["dest_compute"],
                                           instance=moved, migration=migration,
                                           disk_info=disk_info)

    def finish_resize(self, ctx: RequestContext, instance: dict[str, Any],
                      migration: dict[str, Any], disk_info: dict[str, Any]) -> None:
        """Destination of a move: the guest created with the new flavor (running if it
        ran before), the instance RESIZED here. On failure it is in ERROR, its old disk
        still set aside on the source."""
        resized = {**instance, **flavor_columns(migration["new_flavor"])}
        with self._locks[instance["uuid"]]:
            if self.conductor.migration_progress(
                    ctx, migration_id=migration["id"], status="post-migrating",
                    task_state=states.RESIZE_FINISH,
                    expected_task_state=states.RESIZE_MIGRATED) is None:
                return
            try:
                self._plug(ctx, resized)
                self.driver.finish_migration(ctx, resized, disk_info,
                                             power_on=migration["old_vm_state"] == states.ACTIVE)
            except Exception as e:
                self.driver.destroy(ctx, resized)
                self._move_failed(ctx, instance, migration, e, {"vm_state": states.ERROR})
                return
            landed = self.conductor.migration_finish(
                ctx, migration_id=migration["id"],
                power_state=self.driver.power_state(resized))
            if landed is None:
                LOG.info("%s was deleted while it moved here; removing the guest",
                         instance["uuid"])
                self.driver.destroy(ctx, resized)

    def confirm_resize(self, ctx: RequestContext, instance: dict[str, Any],
                       migration: dict[str, Any]) -> None:
        """Source of a confirmed (or deleted) move: the guest and disk set aside go."""
        with self._locks[instance["uuid"]]:
            self.driver.confirm_migration(ctx, instance)
            self.conductor.migration_confirmed(ctx, migration_id=migration["id"])

    def revert_resize(self, ctx: RequestContext, instance: dict[str, Any],
                      migration: dict[str, Any]) -> None:
        """Destination of a reverted move: the new guest goes, then the source brings
        back the old one."""
        with self._locks[instance["uuid"]]:
            self.driver.destroy(ctx, instance)
        ComputeAPI.get().finish_revert_resize(ctx, host=migration["source_compute"],
                                              instance=instance, migration=migration)

    def finish_revert_resize(self, ctx: RequestContext, instance: dict[str, Any],
                             migration: dict[str, Any]) -> None:
        """Source of a reverted move: the old guest back with the old flavor, as it was
        (running or stopped)."""
        old = {**instance, **flavor_columns(migration["old_flavor"])}
        with self._locks[instance["uuid"]]:
            try:
                self.driver.finish_revert_migration(
                    ctx, old, power_on=migration["old_vm_state"] == states.ACTIVE)
            except Exception as e:
                self._move_failed(ctx, instance, migration, e, {"vm_state": states.ERROR})
                return
            self.conductor.migration_reverted(ctx, migration_id=migration["id"],
                                              power_state=self.driver.power_state(old))

    def _poll_unconfirmed_resizes(self) -> None:
        """Confirm the moves to this host left unconfirmed longer than
        resize_confirm_window."""
        cutoff = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - \
            datetime.timedelta(seconds=CONF.resize_confirm_window)
        ctx = get_admin_context()
        for migration in self.conductor.migration_list(
                ctx, filters={"dest_compute": self.host, "status": "finished",
                              "changes-before": cutoff.isoformat()}):
            LOG.info("Confirming the resize of %s, unconfirmed for %d s",
                     migration["instance_uuid"], CONF.resize_confirm_window)
            try:
                self.conductor.instance_confirm_resize(
                    ctx, instance_uuid=migration["instance_uuid"])
            except exception.StratusError as e:
                LOG.warning("Could not confirm the resize of %s: %s",
                            migration["instance_uuid"], e)

    def cache_images(self, ctx: RequestContext, image_ids: list[str]) -> None:
        """Fetch images ahead of the boots that need them (os-aggregates images)."""
        for image_id in image_ids:
            try:
                self.driver.cache_image(ctx, image_id)
            except Exception as e:  # one image that fails leaves the others to fetch
                LOG.warning("Could not cache image %s on %s: %s", image_id, self.host, e)
            else:
                LOG.info("Cached image %s on %s", image_id, self.host)

    # --- NICs after the build (addFixedIp, removeFixedIp) ------------------------------

    def attach_interface(self, ctx: RequestContext, instance: dict[str, Any],
                         vif: dict[str, Any]) -> None:
        """Ready the new NIC's network here (its DHCP entry and port chains, as before a
        spawn), then plug it into the guest. A NIC that cannot be plugged is given back,
        so the server never shows an address its guest has no NIC for."""
        with self._locks[instance["uuid"]]:
            try:
                NetworkAgentAPI.get().setup_instance_network(ctx, host=self.host,
                                                             network_info=[vif])
                self.driver.attach_interface(instance, vif)
            except Exception as e:
                LOG.warning("Could not plug NIC %s into %s: %s", vif["address"],
                            instance["uuid"], e)
            else:
                LOG.info("Plugged NIC %s into %s", vif["address"], instance["uuid"])
                return
        self._give_back(ctx, instance, vif)

    def _give_back(self, ctx: RequestContext, instance: dict[str, Any],
                   vif: dict[str, Any]) -> None:
        """Release a NIC that could not be plugged, whatever the server is doing now (the
        agents then drop its port)."""
        try:
            self.conductor.instance_release_nic(ctx.elevated(), instance_uuid=instance["uuid"],
                                                vif_id=vif["id"])
        except exception.StratusError as e:
            LOG.warning("Could not release NIC %s of %s: %s", vif["address"],
                        instance["uuid"], e)

    def detach_interface(self, ctx: RequestContext, instance: dict[str, Any],
                         vif: dict[str, Any]) -> None:
        """Unplug a released NIC from the guest, then drop its DHCP entry and port
        chains here (and on its network's DHCP host when that is another)."""
        with self._locks[instance["uuid"]]:
            try:
                self.driver.detach_interface(instance, vif)
            except Exception as e:
                LOG.warning("Could not unplug NIC %s from %s: %s", vif["address"],
                            instance["uuid"], e)
            self._unplug(ctx, vif)

    def _unplug(self, ctx: RequestContext, vif: dict[str, Any]) -> None:
        agents = NetworkAgentAPI.get()
        agents.refresh_host(ctx, host=self.host)
        net = vif["network"]
        if not net["multi_host"] and net.get("host") and net["host"] != self.host:
            agents.refresh_network(ctx, host=net["host"], network_uuid=net["id"])

    # --- events from other services -------------------------------------------------

    def external_instance_event(self, ctx: RequestContext,
                                events: list[dict[str, Any]]) -> None:
        """What the network or volume service reports about guests here. Nothing waits
        for these yet (no ports to plug, no volumes); they are logged for the operator."""
        for event in events:
            LOG.info("Event %s%s (%s) for instance %s", event["name"],
                     f":{event['tag']}" if event.get("tag") else "", event["status"],
                     event["server_uuid"])

    # --- power state sync ------------------------------------------------------------

    def _on_power_change(self, instance_uuid: str, power_state: int) -> None:
        """The hypervisor says a guest changed state (it may have shut itself down)."""
        try:
            self.conductor.instance_power_sync(get_admin_context(), instance_uuid=instance_uuid,
                                               host=self.host, power_state=power_state)
        except Exception as e:  # the next event or periodic sync will catch up
            LOG.warning("Power state sync of %s failed: %s", instance_uuid, e)
