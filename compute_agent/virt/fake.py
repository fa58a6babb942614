"""A hypervisor that keeps guests in memory, with capacity from the [fake] options."""
from __future__ import annotations

import pathlib
import threading
import time
from typing import Any

from compute_agent.virt.driver import ComputeDriver, uptime_line
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.objects import states


class FakeSpawnError(Exception):
    pass


class FakeDriver(ComputeDriver):
    def __init__(self, host: str) -> None:
        super().__init__(host)
        self._lock = threading.Lock()
        self._guests: dict[str, dict[str, Any]] = {}
        # Guests set aside by a move off this host, until it is confirmed or reverted.
        self._moved_away: dict[str, dict[str, Any]] = {}
        self.cached_images: set[str] = set()
        self._started = time.monotonic()  # the fake host boots with its driver

    def get_available_resource(self) -> dict[str, Any]:
        return {"vcpus": CONF.fake.vcpus, "memory_mb": CONF.fake.memory_mb,
                "local_gb": CONF.fake.local_gb, "hypervisor_type": "fake",
                "hypervisor_version": 1000, "host_ip": "127.0.0.1",
                "supported_instances": [["x86_64", "fake", "hvm"]],
                "cpu_allocation_ratio": CONF.cpu_allocation_ratio,
                "ram_allocation_ratio": CONF.ram_allocation_ratio,
                "disk_allocation_ratio": CONF.disk_allocation_ratio}

    def spawn(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        if CONF.fake.spawn_delay:
            time.sleep(CONF.fake.spawn_delay)
        if instance["image_ref"] in CONF.fake.fail_spawn_images:
            raise FakeSpawnError(f"the fake driver was told to fail image "
                                 f"{instance['image_ref']}")
        with self._lock:
            self._guests[instance["uuid"]] = {
                "state": states.RUNNING, "name": instance["name"],
                "console": _boot_log(instance["name"], self.host),
                "nics": [_nic(vif) for vif in instance.get("network_info") or []]}

    def destroy(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        with self._lock:
            self._guests.pop(instance["uuid"], None)

    def list_instances(self) -> list[str]:
        with self._lock:
            return list(self._guests)

    def get_console_output(self, instance: dict[str, Any]) -> str:
        with self._lock:
            return str(self._guests.get(instance["uuid"], {}).get("console", ""))

    def _set(self, instance: dict[str, Any], want: tuple[int, ...], new: int,
             what: str) -> None:
        with self._lock:
            guest = self._guests.get(instance["uuid"])
            if guest is None:
                raise exception.InstanceNotFound(instance_id=instance["uuid"])
            if guest["state"] not in want:
                raise exception.Conflict(reason=f"cannot {what} a guest in power state "
                                                f"{guest['state']}")
            guest["state"] = new
            guest["console"] += f"fake guest {instance['name']}: {what}\n"

    def power_state(self, instance: dict[str, Any]) -> int:
        with self._lock:
            guest = self._guests.get(instance["uuid"])
            return int(guest["state"]) if guest else states.NOSTATE

    def power_off(self, instance: dict[str, Any], timeout: float) -> None:
        self._set(instance, (states.RUNNING, states.PAUSED_POWER), states.SHUTDOWN, "power off")

    def power_on(self, instance: dict[str, Any]) -> None:
        self._set(instance, (states.SHUTDOWN,), states.RUNNING, "power on")

    def reboot(self, instance: dict[str, Any], hard: bool, timeout: float) -> None:
        allowed = (states.RUNNING, states.SHUTDOWN, states.PAUSED_POWER) if hard \
            else (states.RUNNING,)
        self._set(instance, allowed, states.RUNNING, "hard reboot" if hard else "reboot")

    def pause(self, instance: dict[str, Any]) -> None:
        self._set(instance, (states.RUNNING,), states.PAUSED_POWER, "pause")

    def unpause(self, instance: dict[str, Any]) -> None:
        self._set(instance, (states.PAUSED_POWER,), states.RUNNING, "unpause")

    def suspend(self, instance: dict[str, Any]) -> None:
        self._set(instance, (states.RUNNING, states.PAUSED_POWER), states.SHUTDOWN,
                  "suspend")

    def resume(self, instance: dict[str, Any]) -> None:
        self._set(instance, (states.SHUTDOWN,), states.RUNNING, "resume")

    def rescue(self, ctx: RequestContext, instance: dict[str, Any], image_id: str) -> None:
        self._set(instance, (states.RUNNING, states.SHUTDOWN), states.RUNNING,
                  f"rescued from image {image_id}")

    def unrescue(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        self._set(instance, (states.RUNNING, states.SHUTDOWN), states.RUNNING, "unrescued")

    def snapshot(self, instance: dict[str, Any], target: pathlib.Path) -> str:
        with self._lock:
            if instance["uuid"] not in self._guests:
                raise exception.InstanceNotFound(instance_id=instance["uuid"])
        target.write_bytes(f"fake snapshot of {instance['uuid']}\n".encode())
        return "raw"

    def cache_image(self, ctx: RequestContext, image_id: str) -> None:
        with self._lock:
            self.cached_images.add(image_id)

    def trigger_crash_dump(self, instance: dict[str, Any]) -> None:
        self._set(instance, (states.RUNNING, states.PAUSED_POWER), states.RUNNING,
                  "NMI received, kernel crash dump written, rebooted")

    def set_admin_password(self, instance: dict[str, Any], new_pass: str) -> None:
        self._set(instance, (states.RUNNING,), states.RUNNING, "administrator password set")

    def migrate_disk_and_power_off(self, ctx: RequestContext, instance: dict[str, Any],
                                   dest_host: str, flavor: dict[str, Any],
                                   timeout: float) -> dict[str, Any]:
        with self._lock:
            guest = self._guests.pop(instance["uuid"], None)
            if guest is None:
                raise exception.InstanceNotFound(instance_id=instance["uuid"])
            guest["state"] = states.SHUTDOWN
            guest["console"] += f"fake guest {instance['name']}: moving to {dest_host}\n"
            self._moved_away[instance["uuid"]] = guest
        return {"source_host": self.host}

    def finish_migration(self, ctx: RequestContext, instance: dict[str, Any],
                         disk_info: dict[str, Any], power_on: bool) -> None:
        if instance["image_ref"] in CONF.fake.fail_spawn_images:
            raise FakeSpawnError(f"the fake driver was told to fail image "
                                 f"{instance['image_ref']}")
        flavor = instance["flavor"]
        with self._lock:
            self._guests[instance["uuid"]] = {
                "state": states.RUNNING if power_on else states.SHUTDOWN,
                "name": instance["name"],
                "console": _boot_log(instance["name"], self.host) +
                f"fake guest {instance['name']}: {flavor['vcpus']} vCPUs, "
                f"{flavor['memory_mb']} MB (flavor {flavor['name']}), disk from "
                f"{disk_info['source_host']}\n",
                "nics": [_nic(vif) for vif in instance.get("network_info") or []]}

    def confirm_migration(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        with self._lock:
            self._moved_away.pop(instance["uuid"], None)

    def finish_revert_migration(self, ctx: RequestContext, instance: dict[str, Any],
                                power_on: bool) -> None:
        with self._lock:
            guest = self._moved_away.pop(instance["uuid"], None)
            if guest is None:
                raise exception.InstanceNotFound(instance_id=instance["uuid"])
            guest["state"] = states.RUNNING if power_on else states.SHUTDOWN
            guest["console"] += f"fake guest {instance['name']}: back on {self.host}\n"
            self._guests[instance["uuid"]] = guest

    def nics(self, instance_uuid: str) -> list[dict[str, Any]]:
        """The guest's NICs, in order: each its MAC, bridge and tap."""
        with self._lock:
            return [dict(nic) for nic in self._guests[instance_uuid]["nics"]]

    def attach_interface(self, instance: dict[str, Any], vif: dict[str, Any]) -> None:
        with self._lock:
            guest = self._guest(instance)
            guest["nics"].append(_nic(vif))
            guest["console"] += f"fake guest {instance['name']}: NIC {vif['address']} " \
                                f"plugged\n"

    def detach_interface(self, instance: dict[str, Any], vif: dict[str, Any]) -> None:
        with self._lock:
            guest = self._guest(instance)
            kept = [nic for nic in guest["nics"] if nic["mac"] != vif["address"]]
            if len(kept) < len(guest["nics"]):
                guest["nics"] = kept
                guest["console"] += f"fake guest {instance['name']}: NIC " \
                                    f"{vif['address']} unplugged\n"

    def _guest(self, instance: dict[str, Any]) -> dict[str, Any]:
        guest = self._guests.get(instance["uuid"])
        if guest is None:
            raise exception.InstanceNotFound(instance_id=instance["uuid"])
        return guest

    def get_host_uptime(self) -> str:
        """Up since the driver started, nobody logged in, idle."""
        return uptime_line(time.monotonic() - self._started, 0, (0.0, 0.0, 0.0))

    def get_diagnostics(self, instance: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if instance["uuid"] not in self._guests:
                raise exception.InstanceNotFound(instance_id=instance["uuid"])
        return {"memory": instance["memory_mb"] * 1024, "cpu_time": 0,
                **{f"cpu{i}_time": 0 for i in range(instance["vcpus"])}}


def _nic(vif: dict[str, Any]) -> dict[str, Any]:
    return {"mac": vif["address"], "bridge": vif["network"]["bridge"],
            "devname": vif["devname"]}


def _boot_log(name: str, host: str) -> str:
    """What a fake guest's console shows once booted: a few lines, as a real boot's."""
    return "".join(f"fake guest {name}: {line}\n" for line in (
        "booting", "kernel started", "root file system mounted", f"started on {host}"))
