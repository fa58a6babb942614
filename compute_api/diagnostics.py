"""Server diagnostics in the standard format of microversion 2.48.

The virt drivers report the free-form counters Nova's libvirt driver returned
before 2.48 (memory in KiB, cpuN_time, <disk>_read, ...); this maps them, the
instance and its compute node onto the fields every driver shares.
"""
from __future__ import annotations

import datetime
import re
from typing import Any

from stratus.objects import states

# Nova's power_state.STATE_MAP.
STATE_NAMES = {states.NOSTATE: "pending", states.RUNNING: "running",
               states.PAUSED_POWER: "paused", states.SHUTDOWN: "shutdown",
               states.CRASHED: "crashed", states.SUSPENDED_POWER: "suspended"}
_CPU_TIME = re.compile(r"^cpu(\d+)_time$")
_DISK_COUNTERS = {"read_bytes": "read", "read_requests": "read_req",
                  "write_bytes": "write", "write_requests": "write_req",
                  "errors_count": "errors"}


def _cpus(raw: dict[str, Any]) -> list[dict[str, Any]]:
    found = sorted((int(m.group(1)), value) for key, value in raw.items()
                   if (m := _CPU_TIME.match(key)))
    return [{"id": ident, "time": value, "utilisation": None} for ident, value in found]


def _disks(raw: dict[str, Any]) -> list[dict[str, Any]]:
    devices = sorted(key.removesuffix("_read_req") for key in raw if key.endswith("_read_req"))
    return [{field: raw.get(f"{dev}_{suffix}") for field, suffix in _DISK_COUNTERS.items()}
            for dev in devices]


def _uptime(launched_at: str | None) -> int | None:
    if not launched_at:
        return None
    launched = datetime.datetime.fromisoformat(launched_at)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return max(0, int((now - launched).total_seconds()))


def _hypervisor(node: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """The virt type and host OS of the node: libvirt reports its virt type (qemu,
    kvm) as the second item of supported_instances and runs on Linux."""
    if node is None:
        return None, None
    virt_type = next((item[1] for item in node.get("supported_instances") or []), None)
    return virt_type, "linux" if node["hypervisor_type"] == "QEMU" else None


def standard(raw: dict[str, Any], inst: dict[str, Any],
             node: dict[str, Any] | None) -> dict[str, Any]:
    cpus, disks = _cpus(raw), _disks(raw)
    hypervisor, hypervisor_os = _hypervisor(node)
    used_kib = raw.get("memory")
    return {
        "state": STATE_NAMES.get(inst["power_state"], "pending"),
        # The API's values are those of Nova's drivers; the fake driver stands in for
        # libvirt, as Nova's own fake driver does.
        "driver": "libvirt",
        "hypervisor": hypervisor,
        "hypervisor_os": hypervisor_os,
        "uptime": _uptime(inst["launched_at"]),
        "config_drive": bool(inst["config_drive"]),
        "num_cpus": len(cpus),
        "num_nics": 0,
        "num_disks": len(disks),
        "memory_details": {"maximum": inst["memory_mb"],
                           "used": used_kib // 1024 if used_kib is not None else None},
        "cpu_details": cpus,
        "nic_details": [],
        "disk_details": disks,
    }
