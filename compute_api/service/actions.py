"""Server actions: check the instance, start the instance action, cast to its host."""
from __future__ import annotations

import dataclasses
from typing import Any

from compute_api import diagnostics as standard_diagnostics
from compute_api.service.clients import compute, conductor
from compute_api.service.hosts import node_of, require_compute_host
from compute_api.service.servers import (canonical_ipv6, check_user_data, check_zone,
                                         delete_server, key_pair, owner_filter,
                                         refuse_trusted_certificates, resolve_image)
from stratus import exception, image_properties
from stratus.availability_zones import host_zones
from stratus.api.validation import to_bool
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.objects import states


@dataclasses.dataclass(frozen=True)
class PowerAction:
    """An action the compute agent carries out: allowed states, policy, RPC method."""
    name: str
    policy: str
    vm_states: tuple[str, ...]
    task_state: str
    method: str
    task_states: tuple[str | None, ...] = (None,)


POWER_ACTIONS = {a.name: a for a in [
    PowerAction("os-stop", "os_compute_api:servers:stop", (states.ACTIVE, states.ERROR),
                states.POWERING_OFF, "stop_instance"),
    PowerAction("os-start", "os_compute_api:servers:start", (states.STOPPED,),
                states.POWERING_ON, "start_instance"),
    PowerAction("pause", "os_compute_api:os-pause-server:pause", (states.ACTIVE,),
                states.PAUSING, "pause_instance"),
    PowerAction("unpause", "os_compute_api:os-pause-server:unpause", (states.PAUSED,),
                states.UNPAUSING, "unpause_instance"),
    PowerAction("suspend", "os_compute_api:os-suspend-server:suspend", (states.ACTIVE,),
                states.SUSPENDING, "suspend_instance"),
    PowerAction("resume", "os_compute_api:os-suspend-server:resume", (states.SUSPENDED,),
                states.RESUMING, "resume_instance"),
]}
SOFT_REBOOT = PowerAction("reboot", "os_compute_api:servers:reboot", (states.ACTIVE,),
                          states.REBOOTING, "reboot_instance")
HARD_REBOOT = PowerAction("reboot", "os_compute_api:servers:reboot",
                          (states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED,
                           states.ERROR), states.REBOOTING_HARD, "reboot_instance",
                          (None, states.REBOOTING))
# Deferred delete (reclaim_instance_interval): DELETE powers a launched, idle server off
# and keeps it SOFT_DELETED; restore powers it back on.
SOFT_DELETE = PowerAction("delete", "os_compute_api:servers:delete",
                          (states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED),
                          states.SOFT_DELETING, "soft_delete_instance")
RESTORE = PowerAction("restore", "os_compute_api:os-deferred-delete:restore",
                      (states.SOFT_DELETED,), states.RESTORING, "restore_instance")
RESCUE = PowerAction("rescue", "os_compute_api:os-rescue",
                     (states.ACTIVE, states.STOPPED, states.ERROR), states.RESCUING,
                     "rescue_instance")
UNRESCUE = PowerAction("unrescue", "os_compute_api:os-unrescue", (states.RESCUED,),
                       states.UNRESCUING, "unrescue_instance")
SHELVE_OFFLOAD = PowerAction("shelveOffload", "os_compute_api:os-shelve:shelve_offload",
                             (states.SHELVED,), states.SHELVING_OFFLOADING,
                             "shelve_offload_instance")
UNSHELVE = PowerAction("unshelve", "os_compute_api:os-shelve:unshelve",
                       (states.SHELVED,), states.UNSHELVING, "unshelve_instance")
CHANGE_PASSWORD = PowerAction("changePassword", "os_compute_api:os-admin-password",
                              (states.ACTIVE,), states.UPDATING_PASSWORD,
                              "set_admin_password")
CRASH_DUMP_STATES = [states.ACTIVE, states.PAUSED, states.RESCUED, states.RESIZED,
                     states.ERROR]
CONSOLE_STATES = (states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED,
                  states.RESCUED, states.RESIZED)
SNAPSHOT_STATES = [states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED]
REBUILD_STATES = [states.ACTIVE, states.STOPPED, states.ERROR]
# Image properties a snapshot keeps from the image its server was booted from.
INHERITED = ("kernel_id", "ramdisk_id", "os_command_line", "os_distro", "os_type",
             "architecture", "hw_disk_bus", "hw_machine_type")
REBUILT = {"name": "name", "metadata": "metadata_items", "accessIPv4": "access_ip_v4",
           "accessIPv6": "access_ip_v6", "description": "description", "hostname": "hostname"}


def reboot_action(kind: str) -> PowerAction:
    return HARD_REBOOT if kind == "HARD" else SOFT_REBOOT


def require_host(inst: dict[str, Any], action: str) -> None:
    """Actions the compute agent carries out need the host the server is on."""
    if not inst["host"]:
        raise exception.InstanceInvalidState(action=action, instance_uuid=inst["uuid"],
                                             attr="host", state="None")


def start_power_action(ctx: RequestContext, inst: dict[str, Any], action: PowerAction,
                       **kwargs: Any) -> dict[str, Any]:
    """Start `action` on the instance and cast it to its host; returns the instance."""
    require_host(inst, action.name)
    started = conductor.instance_action_start(
        ctx, instance_uuid=inst["uuid"], action=action.name.removeprefix("os-"),
        task_state=action.task_state, vm_states=list(action.vm_states),
        task_states=list(action.task_states), project_id=owner_filter(ctx))
    getattr(compute, action.method)(ctx, host=inst["host"], instance=started, **kwargs)
    return started


def remove_server(ctx: RequestContext, inst: dict[str, Any]) -> None:
    """DELETE /servers/{id}. With reclaim_instance_interval a launched, idle server is
    soft-deleted (kept until reclaimed; deleting it again changes nothing); any other is
    deleted at once, as Nova falls back to for servers it cannot soft-delete."""
    if not CONF.reclaim_instance_interval:
        delete_server(ctx, inst["uuid"])
    elif inst["vm_state"] == states.SOFT_DELETED:
        return
    elif (inst["launched_at"] and inst["host"] and inst["task_state"] is None
          and inst["vm_state"] in SOFT_DELETE.vm_states):
        start_power_action(ctx, inst, SOFT_DELETE)
    else:
        delete_server(ctx, inst["uuid"])


def rescue_server(ctx: RequestContext, inst: dict[str, Any],
                  image_ref: str | None) -> None:
    """Boot the server from `image_ref` (default: its own image) to mend its disk."""
    image = resolve_image(ctx, image_ref or inst["image_ref"], inst["flavor"])
    start_power_action(ctx, inst, RESCUE, image_id=image["id"])


def shelve_server(ctx: RequestContext, inst: dict[str, Any]) -> None:
    """Snapshot the server into "<name>-shelved" and power it off (SHELVED); with
    shelved_offload_time 0 its guest is removed at once (SHELVED_OFFLOADED)."""
    image, started = _start_image_action(
        ctx, inst, "shelve", states.SHELVING,
        snapshot_values(ctx, inst, f"{inst['name']}-shelved", {}),
        with_image_id="shelved_image_id")
    compute.shelve_instance(ctx, host=inst["host"], instance=started, image_id=image["id"],
                            offload=CONF.shelved_offload_time == 0)


def _check_unshelve_host(ctx: RequestContext, inst: dict[str, Any], host: str,
                         zone: str | None, unpin: bool) -> None:
    """The named host is a compute host (400) in the zone the server goes to (409)."""
    try:
        require_compute_host(ctx, host)
    except exception.ComputeHostNotFound as e:
        raise exception.Invalid(e.message) from None
    wanted = None if unpin else (zone or inst["pinned_availability_zone"])
    actual = host_zones(conductor.aggregate_list(ctx.elevated())).get(
        host, CONF.default_availability_zone)
    if wanted is not None and actual != wanted:
        raise exception.Conflict(reason=f"Host {host} is not in the availability zone "
                                        f"{wanted}.")


def unshelve_server(ctx: RequestContext, inst: dict[str, Any],
                    availability_zone: str | None = None, host: str | None = None,
                    unpin: bool = False) -> None:
    """A shelved server powers on where it is; an offloaded one is scheduled anew (2.77:
    in `availability_zone`; 2.91: on `host`, or unpinned from any zone) and spawned from
    its shelved image (400 when no host has room)."""
    if inst["vm_state"] != states.SHELVED_OFFLOADED:
        if availability_zone is not None or host is not None or unpin:
            raise exception.Conflict(
                reason=f"The availability_zone and host parameters are only allowed for a "
                       f"server in SHELVED_OFFLOADED state; {inst['uuid']} is not "
                       f"offloaded.")
        start_power_action(ctx, inst, UNSHELVE, image_id=None)
        return
    if availability_zone is not None:
        check_zone(ctx, availability_zone)
    if host is not None:
        _check_unshelve_host(ctx, inst, host, availability_zone, unpin)
    try:
        conductor.instance_unshelve(ctx, instance_uuid=inst["uuid"],
                                    project_id=owner_filter(ctx),
                                    availability_zone=availability_zone, host=host,
                                    unpin=unpin)
    except exception.NoValidHost as e:
        raise exception.Invalid(f"Cannot unshelve: {e.message}") from None


def change_password(ctx: RequestContext, inst: dict[str, Any], new_pass: str) -> None:
    """Keep the new password (the metadata service gives it to the guest) and have the
    guest's agent set it."""
    require_host(inst, CHANGE_PASSWORD.name)
    started = conductor.instance_action_start(
        ctx, instance_uuid=inst["uuid"], action=CHANGE_PASSWORD.name,
        task_state=CHANGE_PASSWORD.task_state, vm_states=list(CHANGE_PASSWORD.vm_states),
        project_id=owner_filter(ctx), values={"admin_pass": new_pass})
    compute.set_admin_password(ctx, host=inst["host"], instance=started, new_pass=new_pass)


def trigger_crash_dump(ctx: RequestContext, inst: dict[str, Any]) -> None:
    """An NMI to the guest, which writes a kernel crash dump; no task state."""
    require_host(inst, "trigger_crash_dump")
    started = conductor.instance_action_start(
        ctx, instance_uuid=inst["uuid"], action="trigger_crash_dump", task_state=None,
        vm_states=CRASH_DUMP_STATES, project_id=owner_filter(ctx))
    compute.trigger_crash_dump(ctx, host=inst["host"], instance=started)


def lock_server(ctx: RequestContext, inst: dict[str, Any], reason: str | None) -> None:
    conductor.instance_lock(ctx, instance_uuid=inst["uuid"], locked=True, reason=reason,
                            project_id=owner_filter(ctx))


def locked_by_someone_else(ctx: RequestContext, inst: dict[str, Any]) -> bool:
    """Whether the lock was set by an admin and the caller is the owner, or the other way
    round: unlocking it then takes the unlock_override policy (as Nova)."""
    expected = "owner" if inst["project_id"] == ctx.project_id else "admin"
    return bool(inst["locked_by"]) and inst["locked_by"] != expected


def unlock_server(ctx: RequestContext, inst: dict[str, Any]) -> None:
    conductor.instance_lock(ctx, instance_uuid=inst["uuid"], locked=False,
                            project_id=owner_filter(ctx))


def reset_state(ctx: RequestContext, inst: dict[str, Any], state: str) -> None:
    """os-resetState: `active` or `error`, the task cleared (admins mend stuck servers)."""
    conductor.instance_reset_state(ctx, instance_uuid=inst["uuid"],
                                   vm_state=states.ACTIVE if state == "active"
                                   else states.ERROR)


def console_output(ctx: RequestContext, inst: dict[str, Any],
                   length: int | None) -> dict[str, Any]:
    if inst["vm_state"] not in CONSOLE_STATES or not inst["host"]:
        raise exception.Conflict(reason=f"Instance {inst['uuid']} is not ready: its console "
                                        f"has no output yet.")
    return {"output": compute.get_console_output(ctx, host=inst["host"], instance=inst,
                                                 length=length)}


def inherited_properties(ctx: RequestContext, image_id: str) -> dict[str, Any]:
    """The properties of the server's image that its snapshots keep."""
    try:
        source = conductor.image_get(ctx, image_id=image_id)
    except exception.ImageNotFound:
        return {}
    return {k: v for k, v in source["properties"].items() if k in INHERITED}


def snapshot_values(ctx: RequestContext, inst: dict[str, Any], name: str,
                    metadata: dict[str, Any],
                    kind: dict[str, str] | None = None) -> dict[str, Any]:
    """The queued image of a snapshot; `kind` its image_type (and backup_type) properties,
    a snapshot by default."""
    reserved = image_properties.reserved(metadata)
    if reserved:
        raise exception.Invalid(f"Image metadata may not set {', '.join(reserved)}: "
                                f"reserved attributes of the image service.")
    kind = kind or {"image_type": "snapshot"}
    # The request's metadata has precedence over what Nova sets (instance_uuid, user_id,
    # image_type), but not over a backup's backup_type, as in Nova.
    properties = {**inherited_properties(ctx, inst["image_ref"]),
                  "instance_uuid": inst["uuid"], "base_image_ref": inst["image_ref"],
                  "image_type": kind["image_type"], "user_id": ctx.user_id, **metadata,
                  **{k: v for k, v in kind.items() if k != "image_type"}}
    return {"name": name, "status": "queued", "visibility": "private",
            "owner": inst["project_id"], "container_format": "bare",
            "min_disk": inst["flavor"]["root_gb"], "min_ram": 0, "properties": properties}


def _start_image_action(ctx: RequestContext, inst: dict[str, Any], action: str,
                        task_state: str, values: dict[str, Any],
                        with_image_id: str | None = None
                        ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create the queued image and start `action` (writing the image's id to the
    instance column `with_image_id`, if named); returns (image, started instance). The
    image is deleted again when the action cannot start."""
    require_host(inst, action)
    image = conductor.image_create(ctx, values=values)
    try:
        started = conductor.instance_action_start(
            ctx, instance_uuid=inst["uuid"], action=action, task_state=task_state,
            vm_states=SNAPSHOT_STATES, project_id=owner_filter(ctx),
            values={with_image_id: image["id"]} if with_image_id else None)
    except exception.StratusError:
        conductor.image_delete(ctx, image_id=image["id"])
        raise
    return image, started


def create_snapshot(ctx: RequestContext, inst: dict[str, Any], name: str,
                    metadata: dict[str, Any]) -> dict[str, Any]:
    """Start createImage and cast the snapshot; returns the (queued) image."""
    image, started = _start_image_action(ctx, inst, "createImage", states.IMAGE_SNAPSHOT,
                                         snapshot_values(ctx, inst, name, metadata))
    compute.snapshot_instance(ctx, host=inst["host"], instance=started,
                              image_id=image["id"])
    return image


def create_backup(ctx: RequestContext, inst: dict[str, Any], name: str, backup_type: str,
                  rotation: int, metadata: dict[str, Any]) -> dict[str, Any]:
    """Start createBackup and cast it; returns the (queued) image. Once it is uploaded
    the agent keeps the `rotation` newest backups of `backup_type`."""
    kind = {"image_type": "backup", "backup_type": backup_type}
    image, started = _start_image_action(ctx, inst, "createBackup", states.IMAGE_BACKUP,
                                         snapshot_values(ctx, inst, name, metadata, kind))
    compute.backup_instance(ctx, host=inst["host"], instance=started, image_id=image["id"],
                            backup_type=backup_type, rotation=rotation)
    return image


def rebuild_key_pair(ctx: RequestContext, version: tuple[int, int],
                     request: dict[str, Any]) -> dict[str, Any]:
    """2.54: the caller's key pair `key_name` replaces the server's; null removes it."""
    if version < (2, 54) or "key_name" not in request:
        return {}
    if request["key_name"] is None:
        return {"key_name": None, "key_data": None}
    key = key_pair(ctx, request["key_name"])
    return {"key_name": key["name"], "key_data": key["public_key"]}


def rebuild_values(ctx: RequestContext, version: tuple[int, int], inst: dict[str, Any],
                   request: dict[str, Any]) -> dict[str, Any]:
    image = resolve_image(ctx, request["imageRef"], inst["flavor"])
    props = image.get("properties") or {}
    values = {column: request[key] for key, column in REBUILT.items() if key in request}
    if "access_ip_v6" in values:
        values["access_ip_v6"] = canonical_ipv6(values["access_ip_v6"])
    values.update({"image_ref": image["id"], "kernel_id": props.get("kernel_id", ""),
                   "ramdisk_id": props.get("ramdisk_id", ""), "image_properties": props})
    refuse_trusted_certificates(request.get("trusted_image_certificates"))
    values.update(rebuild_key_pair(ctx, version, request))
    if version >= (2, 57) and "user_data" in request:
        # 2.57: new user data for the rebuilt server; null removes it.
        check_user_data(request["user_data"])
        values["user_data"] = request["user_data"]
    return values


def rebuild_server(ctx: RequestContext, version: tuple[int, int], inst: dict[str, Any],
                   request: dict[str, Any]) -> dict[str, Any]:
    """Start the rebuild and cast it to the server's host; returns the instance."""
    values = rebuild_values(ctx, version, inst, request)
    require_host(inst, "rebuild")
    started = conductor.instance_action_start(
        ctx, instance_uuid=inst["uuid"], action="rebuild", task_state=states.REBUILDING,
        vm_states=REBUILD_STATES, project_id=owner_filter(ctx), values=values)
    compute.rebuild_instance(ctx, host=inst["host"], instance=started)
    return started


def evacuate_server(ctx: RequestContext, inst: dict[str, Any], host: str | None,
                    on_shared_storage: Any, stop: bool = False) -> None:
    """Rebuild the server on another host because its own host is down (2.95: left
    stopped there)."""
    if to_bool(on_shared_storage):
        raise exception.Invalid("Shared storage is not supported: the server is rebuilt "
                                "from its image on the new host.")
    try:
        conductor.instance_evacuate(ctx, instance_uuid=inst["uuid"], host=host, stop=stop)
    except exception.NoValidHost as e:
        raise exception.Invalid(f"Cannot evacuate: {e.message}") from None


def server_diagnostics(ctx: RequestContext, version: tuple[int, int],
                       inst: dict[str, Any]) -> dict[str, Any]:
    """The driver's counters; from 2.48 in the standard format."""
    if not inst["host"]:
        raise exception.Conflict(reason=f"Instance {inst['uuid']} has no host yet.")
    raw = compute.get_diagnostics(ctx, host=inst["host"], instance=inst)
    if version < (2, 48):
        return raw
    return standard_diagnostics.standard(raw, inst, node_of(ctx, inst))
