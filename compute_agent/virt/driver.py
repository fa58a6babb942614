"""The narrow interface between the compute agent and a hypervisor.

Drivers register under the `stratus.virt_drivers` entry point group (pyproject.toml) and
are loaded by their `[compute] virt_driver` name: this module imports none of them.
"""
from __future__ import annotations

import abc
import pathlib
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

from stratus import exception
from stratus.context import RequestContext

DRIVERS = "stratus.virt_drivers"


class ComputeDriver(abc.ABC):
    # Called as listener(instance uuid, power state) when a guest's power state changes
    # by itself (the compute manager sets it; drivers that notice such changes call it).
    lifecycle_listener: Callable[[str, int], None] | None = None

    def __init__(self, host: str) -> None:
        self.host = host

    @property
    def nodename(self) -> str:
        return self.host

    @abc.abstractmethod
    def get_available_resource(self) -> dict[str, Any]:
        """Capacity of this node: vcpus, memory_mb, local_gb, hypervisor_type, ..."""

    @abc.abstractmethod
    def spawn(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        """Create and start the guest; raise on failure, leaving nothing behind."""

    @abc.abstractmethod
    def destroy(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        """Stop and remove the guest and its files; a missing guest is fine."""

    @abc.abstractmethod
    def list_instances(self) -> list[str]:
        """UUIDs of the guests this node runs."""

    @abc.abstractmethod
    def get_console_output(self, instance: dict[str, Any]) -> str:
        """What the guest wrote on its serial console (the end of it when long)."""

    @abc.abstractmethod
    def power_state(self, instance: dict[str, Any]) -> int:
        """The guest's power state (stratus.objects.states: RUNNING, SHUTDOWN, ...)."""

    @abc.abstractmethod
    def power_off(self, instance: dict[str, Any], timeout: float) -> None:
        """Ask the guest to shut down (ACPI); force it off after `timeout` seconds."""

    @abc.abstractmethod
    def power_on(self, instance: dict[str, Any]) -> None:
        """Start a stopped guest."""

    @abc.abstractmethod
    def reboot(self, instance: dict[str, Any], hard: bool, timeout: float) -> None:
        """SOFT: clean shutdown then start (HARD when it does not stop); HARD: reset."""

    @abc.abstractmethod
    def pause(self, instance: dict[str, Any]) -> None:
        """Freeze the guest's vCPUs in memory."""

    @abc.abstractmethod
    def unpause(self, instance: dict[str, Any]) -> None:
        """Let a paused guest run again."""

    @abc.abstractmethod
    def suspend(self, instance: dict[str, Any]) -> None:
        """Save the guest's memory to disk and stop it."""

    @abc.abstractmethod
    def resume(self, instance: dict[str, Any]) -> None:
        """Restore a suspended guest from its saved memory."""

    @abc.abstractmethod
    def get_diagnostics(self, instance: dict[str, Any]) -> dict[str, Any]:
        """Counters of the guest (CPU time, memory, disk I/O), keyed as Nova's libvirt
        driver does before microversion 2.48."""

    def cache_image(self, ctx: RequestContext, image_id: str) -> None:
        """Fetch `image_id` into this node's image cache (nothing when cached already)."""
        raise exception.FeatureNotSupported(reason="This driver has no image cache.")

    def age_image_cache(self, in_use: set[str], max_age: float) -> list[str]:
        """Remove cached images not in `in_use` and unused for `max_age` seconds;
        their IDs. Drivers without an image cache have nothing to remove."""
        return []

    @abc.abstractmethod
    def snapshot(self, instance: dict[str, Any], target: pathlib.Path) -> str:
        """Write a standalone image of the root disk to `target`; its disk format."""

    def rescue(self, ctx: RequestContext, instance: dict[str, Any], image_id: str) -> None:
        """Boot the guest from `image_id` with its own root disk attached second."""
        raise exception.FeatureNotSupported(reason="This driver cannot rescue servers.")

    def unrescue(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        """Boot the guest from its own disk again."""
        raise exception.FeatureNotSupported(reason="This driver cannot rescue servers.")

    def trigger_crash_dump(self, instance: dict[str, Any]) -> None:
        """Inject an NMI into the guest."""
        raise exception.FeatureNotSupported(reason="This driver cannot trigger crash dumps.")

    def set_admin_password(self, instance: dict[str, Any], new_pass: str) -> None:
        """Set the administrator's password inside the guest."""
        raise exception.FeatureNotSupported(
            reason="This driver cannot set passwords inside guests.")

    # --- NICs after the build (addFixedIp, removeFixedIp) ------------------------------

    def attach_interface(self, instance: dict[str, Any], vif: dict[str, Any]) -> None:
        """Add the NIC of network_info entry `vif` to the guest: to the running guest at
        once (hot-plug) and to its definition, so it keeps it when started again."""
        raise exception.FeatureNotSupported(reason="This driver cannot plug NICs.")

    def detach_interface(self, instance: dict[str, Any], vif: dict[str, Any]) -> None:
        """Remove the NIC with the MAC of network_info entry `vif` from the guest and its
        definition; a NIC the guest does not have is fine."""
        raise exception.FeatureNotSupported(reason="This driver cannot unplug NICs.")

    # --- moves (resize, cold migration): source, then destination, then either ------

    def migrate_disk_and_power_off(self, ctx: RequestContext, instance: dict[str, Any],
                                   dest_host: str, flavor: dict[str, Any],
                                   timeout: float) -> dict[str, Any]:
        """Source: power the guest off and set its disk aside for `dest_host`, keeping
        what a revert needs; what the destination needs to find the disk."""
        raise exception.FeatureNotSupported(reason="This driver cannot resize servers.")

    def finish_migration(self, ctx: RequestContext, instance: dict[str, Any],
                         disk_info: dict[str, Any], power_on: bool) -> None:
        """Destination: create the guest of `instance` (its new flavor) from the disk
        set aside, started if `power_on`."""
        raise exception.FeatureNotSupported(reason="This driver cannot resize servers.")

    def confirm_migration(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        """Source of a confirmed move: remove what was set aside (a missing one is
        fine)."""
        raise exception.FeatureNotSupported(reason="This driver cannot resize servers.")

    def finish_revert_migration(self, ctx: RequestContext, instance: dict[str, Any],
                                power_on: bool) -> None:
        """Source of a reverted move: bring back the guest set aside, with the old
        flavor of `instance`, started if `power_on`."""
        raise exception.FeatureNotSupported(reason="This driver cannot resize servers.")

    def get_host_uptime(self) -> str:
        """The host's uptime as `uptime` prints it (what Nova's hypervisor uptime API
        returns; see uptime_line). Drivers that cannot tell answer 501, as Nova does."""
        raise exception.FeatureNotSupported(
            reason=f"The {type(self).__name__} does not report its host's uptime.")


def uptime_line(seconds: float, users: int, load: tuple[float, float, float],
                now: time.struct_time | None = None) -> str:
    """What procps `uptime` prints for a host up `seconds`, at local time `now`:
    " 17:37:14 up 3 days,  2:33,  1 user,  load average: 0.33, 0.36, 0.34"."""
    now = now or time.localtime()
    minutes = int(seconds) // 60
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    up = f"{days} day{'' if days == 1 else 's'}, " if days else ""
    up += f"{hours:2d}:{minutes:02d}, " if hours else f"{minutes} min, "
    return (f" {now.tm_hour:02d}:{now.tm_min:02d}:{now.tm_sec:02d} up {up}"
            f"{users:2d} user{'' if users == 1 else 's'},  "
            f"load average: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")


def load(name: str, host: str) -> ComputeDriver:
    """The driver registered as `name`, for `host`."""
    found = metadata.entry_points(group=DRIVERS, name=name)
    if not found:
        raise ValueError(f"Unknown virt driver {name}")
    driver_class: type[ComputeDriver] = next(iter(found)).load()
    return driver_class(host)
