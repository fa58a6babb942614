"""Instance states as Nova names them, and the API status each maps to."""
from __future__ import annotations

# vm_state
ACTIVE = "active"
BUILDING = "building"
PAUSED = "paused"
SUSPENDED = "suspended"
STOPPED = "stopped"
ERROR = "error"
DELETED = "deleted"
SOFT_DELETED = "soft-delete"
RESCUED = "rescued"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"
RESIZED = "resized"

# task_state
SCHEDULING = "scheduling"
SPAWNING = "spawning"
DELETING = "deleting"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
REBOOTING = "rebooting"
REBOOTING_HARD = "rebooting_hard"
PAUSING = "pausing"
UNPAUSING = "unpausing"
SUSPENDING = "suspending"
RESUMING = "resuming"
IMAGE_SNAPSHOT = "image_snapshot"
IMAGE_BACKUP = "image_backup"
REBUILDING = "rebuilding"
SOFT_DELETING = "soft-deleting"
RESTORING = "restoring"
RESCUING = "rescuing"
UNRESCUING = "unrescuing"
SHELVING = "shelving"
SHELVING_OFFLOADING = "shelving_offloading"
UNSHELVING = "unshelving"
UPDATING_PASSWORD = "updating_password"
RESIZE_PREP = "resize_prep"
RESIZE_MIGRATING = "resize_migrating"
RESIZE_MIGRATED = "resize_migrated"
RESIZE_FINISH = "resize_finish"
RESIZE_REVERTING = "resize_reverting"

# power_state
NOSTATE = 0
RUNNING = 1
PAUSED_POWER = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED_POWER = 7

_STATUS_BY_VM_STATE = {
    ACTIVE: "ACTIVE", BUILDING: "BUILD", PAUSED: "PAUSED", SUSPENDED: "SUSPENDED",
    STOPPED: "SHUTOFF", ERROR: "ERROR", DELETED: "DELETED", SOFT_DELETED: "SOFT_DELETED",
    RESCUED: "RESCUE", SHELVED: "SHELVED", SHELVED_OFFLOADED: "SHELVED_OFFLOADED",
    RESIZED: "VERIFY_RESIZE",
}
_RESIZING = {RESIZE_PREP: "RESIZE", RESIZE_MIGRATING: "RESIZE", RESIZE_MIGRATED: "RESIZE",
             RESIZE_FINISH: "RESIZE"}
_REBOOTING = {"rebooting": "REBOOT", "reboot_pending": "REBOOT",
              "reboot_started": "REBOOT", "rebooting_hard": "HARD_REBOOT",
              "reboot_pending_hard": "HARD_REBOOT", "reboot_started_hard": "HARD_REBOOT"}
# Per vm_state, the task states that show as another status (Nova's state map).
_STATUS_BY_TASK: dict[str, dict[str, str]] = {
    ACTIVE: {**_REBOOTING, **_RESIZING, "rebuilding": "REBUILD",
             "rebuild_spawning": "REBUILD", RESIZE_REVERTING: "REVERT_RESIZE",
             UPDATING_PASSWORD: "PASSWORD"},
    STOPPED: {**_RESIZING, "rebuilding": "REBUILD", "rebuild_spawning": "REBUILD",
              RESIZE_REVERTING: "REVERT_RESIZE"},
    RESIZED: {RESIZE_REVERTING: "REVERT_RESIZE"},
}


def api_status(vm_state: str, task_state: str | None) -> str:
    by_task = _STATUS_BY_TASK.get(vm_state, {})
    if task_state in by_task:
        return by_task[task_state]
    return _STATUS_BY_VM_STATE.get(vm_state, "UNKNOWN")


def vm_states_for_status(status: str) -> list[str]:
    """vm_states behind an API status filter; [] when the status is unknown."""
    status = status.upper()
    found = [vm for vm, st in _STATUS_BY_VM_STATE.items() if st == status]
    found += [vm for vm, tasks in _STATUS_BY_TASK.items()
              if status in tasks.values() and vm not in found]
    return found
