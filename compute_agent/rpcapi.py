"""Wire contract of a compute agent (topic `compute`, server = its host).

Version history:
  1.0 - build_and_run_instance, terminate_instance.
  1.1 - get_console_output, stop/start/reboot/pause/unpause/suspend/resume_instance,
        snapshot_instance, rebuild_instance, get_diagnostics.
  1.2 - build_status (the conductor's build watchdog asks about stalled builds).
  1.3 - build_and_run_instance: alternates as Destination payloads (1.2 peers get dicts).
  1.4 - soft_delete_instance, restore_instance (deferred delete).
  1.5 - get_host_uptime (GET /os-hypervisors/{id}/uptime).
  1.6 - backup_instance (createBackup, with rotation).
  1.7 - rescue_instance, unrescue_instance.
  1.8 - shelve_instance, shelve_offload_instance, unshelve_instance.
  1.9 - resize_instance, finish_resize, confirm_resize, revert_resize,
        finish_revert_resize (resize and cold migration).
  1.10 - external_instance_event (os-server-external-events), trigger_crash_dump,
         set_admin_password, cache_images (2.81).
  1.11 - attach_interface, detach_interface (addFixedIp, removeFixedIp: a NIC
         hot-plugged into or out of the guest).
"""
from __future__ import annotations

from typing import Any

from stratus.context import RequestContext
from stratus.objects.request_spec import Destination
from stratus.rpc import RPCAPI, call, cast

Instance = dict[str, Any]


class ComputeAPI(RPCAPI):
    TOPIC = "compute"
    VERSION = "1.11"

    @cast("1.3", server="host")
    def build_and_run_instance(self, ctx: RequestContext, *, host: str, instance: Instance,
                               alternates: list[Destination]) -> None:
        """Spawn the guest; on failure the agent hands `alternates` back to the conductor."""

    @build_and_run_instance.downgrade("1.0")
    def _alternates_as_dicts(args: dict[str, Any]) -> dict[str, Any]:
        args["alternates"] = [a.model_dump() for a in args["alternates"]]
        return args

    @cast("1.0", server="host")
    def terminate_instance(self, ctx: RequestContext, *, host: str,
                           instance: Instance) -> None:
        """Destroy the guest, then have the conductor remove the instance."""

    @call("1.1", server="host")
    def get_console_output(self, ctx: RequestContext, *, host: str, instance: Instance,
                           length: int | None = None) -> str:
        """The guest's console log, its last `length` lines if given."""

    @cast("1.1", server="host")
    def stop_instance(self, ctx: RequestContext, *, host: str, instance: Instance) -> None:
        """Power the guest off (ACPI first, up to [compute] shutdown_timeout)."""

    @cast("1.1", server="host")
    def start_instance(self, ctx: RequestContext, *, host: str, instance: Instance) -> None:
        """Power the guest on."""

    @cast("1.1", server="host")
    def reboot_instance(self, ctx: RequestContext, *, host: str, instance: Instance,
                        reboot_type: str) -> None:
        """SOFT (guest shutdown, then start) or HARD (reset) reboot."""

    @cast("1.1", server="host")
    def pause_instance(self, ctx: RequestContext, *, host: str, instance: Instance) -> None:
        """Pause the guest's CPUs."""

    @cast("1.1", server="host")
    def unpause_instance(self, ctx: RequestContext, *, host: str, instance: Instance) -> None:
        """Resume the paused guest's CPUs."""

    @cast("1.1", server="host")
    def suspend_instance(self, ctx: RequestContext, *, host: str, instance: Instance) -> None:
        """Save the guest's memory to disk and stop it."""

    @cast("1.1", server="host")
    def resume_instance(self, ctx: RequestContext, *, host: str, instance: Instance) -> None:
        """Start a suspended guest from its saved memory."""

    @cast("1.1", server="host")
    def snapshot_instance(self, ctx: RequestContext, *, host: str, instance: Instance,
                          image_id: str) -> None:
        """Copy the root disk into the queued image `image_id` and upload it."""

    @cast("1.6", server="host")
    def backup_instance(self, ctx: RequestContext, *, host: str, instance: Instance,
                        image_id: str, backup_type: str, rotation: int) -> None:
        """Snapshot into the queued image `image_id`, then keep only the `rotation` newest
        backups of this type of the server."""

    @cast("1.7", server="host")
    def rescue_instance(self, ctx: RequestContext, *, host: str, instance: Instance,
                        image_id: str) -> None:
        """Boot the guest from `image_id`, its own root disk attached second."""

    @cast("1.7", server="host")
    def unrescue_instance(self, ctx: RequestContext, *, host: str,
                          instance: Instance) -> None:
        """Boot a rescued guest from its own disk again."""

    @cast("1.8", server="host")
    def shelve_instance(self, ctx: RequestContext, *, host: str, instance: Instance,
                        image_id: str, offload: bool) -> None:
        """Power off, snapshot into the queued image `image_id`; with `offload` also
        remove the guest and free the host."""

    @cast("1.8", server="host")
    def shelve_offload_instance(self, ctx: RequestContext, *, host: str,
                                instance: Instance) -> None:
        """Remove a shelved guest and free the host."""

    @cast("1.8", server="host")
    def unshelve_instance(self, ctx: RequestContext, *, host: str, instance: Instance,
                          image_id: str | None) -> None:
        """Power a shelved guest back on, or (offloaded) spawn it from `image_id`."""

    @cast("1.9", server="host")
    def resize_instance(self, ctx: RequestContext, *, host: str, instance: Instance,
                        migration: dict[str, Any]) -> None:
        """Source of a move: power the guest off and hand its disk to the destination."""

    @cast("1.9", server="host")
    def finish_resize(self, ctx: RequestContext, *, host: str, instance: Instance,
                      migration: dict[str, Any], disk_info: dict[str, Any]) -> None:
        """Destination of a move: start the guest with the new flavor."""

    @cast("1.9", server="host")
    def confirm_resize(self, ctx: RequestContext, *, host: str, instance: Instance,
                       migration: dict[str, Any]) -> None:
        """Source of a finished move: remove the old guest and disk."""

    @cast("1.9", server="host")
    def revert_resize(self, ctx: RequestContext, *, host: str, instance: Instance,
                      migration: dict[str, Any]) -> None:
        """Destination of a finished move: remove the new guest, then have the source
        bring the old one back."""

    @cast("1.9", server="host")
    def finish_revert_resize(self, ctx: RequestContext, *, host: str, instance: Instance,
                             migration: dict[str, Any]) -> None:
        """Source of a reverted move: start the old guest with the old flavor again."""

    @cast("1.10", server="host")
    def external_instance_event(self, ctx: RequestContext, *, host: str,
                                events: list[dict[str, Any]]) -> None:
        """Events other services report about this host's instances."""

    @cast("1.10", server="host")
    def trigger_crash_dump(self, ctx: RequestContext, *, host: str,
                           instance: Instance) -> None:
        """Send the guest a non-maskable interrupt (it dumps its kernel, then reboots)."""

    @cast("1.10", server="host")
    def set_admin_password(self, ctx: RequestContext, *, host: str, instance: Instance,
                           new_pass: str) -> None:
        """Set the guest's administrator password through its agent."""

    @cast("1.10", server="host")
    def cache_images(self, ctx: RequestContext, *, host: str, image_ids: list[str]) -> None:
        """Fetch the images into this host's image cache ahead of boots."""

    @cast("1.11", server="host")
    def attach_interface(self, ctx: RequestContext, *, host: str, instance: Instance,
                         vif: dict[str, Any]) -> None:
        """Plug the NIC of network_info entry `vif`, just allocated, into the guest, its
        network readied on the host first; when it cannot, the allocation is released."""

    @cast("1.11", server="host")
    def detach_interface(self, ctx: RequestContext, *, host: str, instance: Instance,
                         vif: dict[str, Any]) -> None:
        """Unplug the released NIC of network_info entry `vif` from the guest, then have
        the host's network agent drop its DHCP entry and port chains."""

    @cast("1.1", server="host")
    def rebuild_instance(self, ctx: RequestContext, *, host: str, instance: Instance) -> None:
        """Replace the guest with a fresh one from the instance's image."""

    @cast("1.4", server="host")
    def soft_delete_instance(self, ctx: RequestContext, *, host: str,
                             instance: Instance) -> None:
        """Power the guest off and keep it until it is reclaimed, restored or
        force-deleted."""

    @cast("1.4", server="host")
    def restore_instance(self, ctx: RequestContext, *, host: str, instance: Instance) -> None:
        """Power a soft-deleted guest back on."""

    @call("1.1", server="host")
    def get_diagnostics(self, ctx: RequestContext, *, host: str,
                        instance: Instance) -> dict[str, Any]:
        """The hypervisor's figures for the guest."""

    @call("1.2", server="host", timeout=5)
    def build_status(self, ctx: RequestContext, *, host: str, instance_uuid: str) -> str:
        """building, running or unknown: what the agent knows of a build."""

    @call("1.5", server="host")
    def get_host_uptime(self, ctx: RequestContext, *, host: str) -> str:
        """The host's uptime, as `uptime` prints it."""
