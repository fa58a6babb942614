"""LibvirtDriver: real guests under qemu (TCG here) or KVM, through libvirt-python."""
from __future__ import annotations

import logging
import os
import pathlib
import shutil
import struct
import threading
import time
import xml.etree.ElementTree as ET
from typing import Any

import libvirt

from compute_agent import image_service
from compute_agent.virt import configdrive
from compute_agent.virt.driver import ComputeDriver, uptime_line
from compute_agent.virt.libvirt import disks, events
from compute_agent.virt.libvirt.domain import (DomainSpec, interface_xml, nics_of, to_xml,
                                               with_flavor)
from compute_agent.virt.libvirt.imagecache import ImageCache
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.objects import states
from stratus.stopwatch import Stopwatch

LOG = logging.getLogger(__name__)
GiB = 1024 ** 3
POWER_STATES = {libvirt.VIR_DOMAIN_NOSTATE: states.NOSTATE,
                libvirt.VIR_DOMAIN_RUNNING: states.RUNNING,
                libvirt.VIR_DOMAIN_BLOCKED: states.RUNNING,
                libvirt.VIR_DOMAIN_PAUSED: states.PAUSED_POWER,
                libvirt.VIR_DOMAIN_SHUTDOWN: states.SHUTDOWN,
                libvirt.VIR_DOMAIN_SHUTOFF: states.SHUTDOWN,
                libvirt.VIR_DOMAIN_CRASHED: states.CRASHED,
                libvirt.VIR_DOMAIN_PMSUSPENDED: states.SUSPENDED_POWER}
libvirt.registerErrorHandler(lambda *_args: None, None)
UTMP = pathlib.Path("/var/run/utmp")
UTMP_RECORD, USER_PROCESS, UT_USER = 384, 7, 44  # glibc's struct utmp on Linux


def logged_in_users(utmp: pathlib.Path = UTMP) -> int:
    """The login sessions `uptime` counts: utmp USER_PROCESS records naming a user."""
    try:
        data = utmp.read_bytes()
    except OSError:
        return 0
    return sum(1 for at in range(0, len(data) - UTMP_RECORD + 1, UTMP_RECORD)
               if struct.unpack_from("=h", data, at)[0] == USER_PROCESS
               and data[at + UT_USER] != 0)


# The domain's own definition, kept while it is rescued.
UNRESCUE_XML = "unrescue.xml"
# What a move off this host sets aside until it is confirmed or reverted: the instance
# directory renamed <uuid>_resize, holding the domain's definition as it was.
SET_ASIDE_SUFFIX = "_resize"
RESIZE_XML = "resize.xml"
# A running guest must answer the ACPI request to unplug a NIC: it has this long, asked
# again this often (a request made while it boots can go unheard).
DETACH_TIMEOUT = 30.0
DETACH_RETRY = 5.0


def instance_name(instance: dict[str, Any]) -> str:
    return "instance-%08x" % instance["id"]


class LibvirtDriver(ComputeDriver):
    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.instances_path = pathlib.Path(os.path.abspath(CONF.compute.instances_path))
        self.image_cache = ImageCache(self.instances_path / "_base")
        self._conn: libvirt.virConnect | None = None
        self._conn_lock = threading.Lock()
        self._changed = threading.Condition()

    @property
    def conn(self) -> libvirt.virConnect:
        with self._conn_lock:
            if self._conn is None or not self._conn.isAlive():
                events.start()
                self._conn = libvirt.open(CONF.libvirt.connection_uri)
                self._conn.domainEventRegisterAny(
                    None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, self._on_lifecycle, None)
            return self._conn

    def _on_lifecycle(self, _conn: Any, domain: libvirt.virDomain, event: int, _detail: int,
                      _opaque: Any) -> None:
        """A guest started, stopped, paused, ...: wake waiters and tell the manager."""
        with self._changed:
            self._changed.notify_all()
        listener = self.lifecycle_listener
        if listener is not None:
            uuid = domain.UUIDString()
            threading.Thread(target=listener, args=(uuid, self._power_of(domain)),
                             daemon=True).start()

    @staticmethod
    def _power_of(domain: libvirt.virDomain) -> int:
        try:
            return POWER_STATES.get(domain.state()[0], states.NOSTATE)
        except libvirt.libvirtError:
            return states.NOSTATE

    def _wait_until_off(self, domain: libvirt.virDomain, timeout: float) -> bool:
        """Wait (on lifecycle events, not polling) for the guest to stop."""
        with self._changed:
            return self._changed.wait_for(lambda: not domain.isActive(), timeout)

    def instance_dir(self, instance: dict[str, Any]) -> pathlib.Path:
        return self.instances_path / instance["uuid"]

    def get_available_resource(self) -> dict[str, Any]:
        info = self.conn.getInfo()
        self.instances_path.mkdir(parents=True, exist_ok=True)
        fs = os.statvfs(self.instances_path)
        return {"vcpus": info[2], "memory_mb": info[1],
                "local_gb": fs.f_blocks * fs.f_frsize // GiB,
                "hypervisor_type": "QEMU", "hypervisor_version": self.conn.getVersion(),
                "supported_instances": [["x86_64", CONF.libvirt.virt_type, "hvm"]],
                "host_ip": CONF.libvirt.vnc_listen,
                "cpu_allocation_ratio": CONF.cpu_allocation_ratio,
                "ram_allocation_ratio": CONF.ram_allocation_ratio,
                "disk_allocation_ratio": CONF.disk_allocation_ratio}

    # --- spawn ------------------------------------------------------------------

    def _kernel_boot(self, ctx: RequestContext, instance: dict[str, Any],
                     image: dict[str, Any]) -> dict[str, Any]:
        kernel_id = instance.get("kernel_id") or image.get("kernel_id")
        if not kernel_id:
            return {}
        ramdisk_id = instance.get("ramdisk_id") or image.get("ramdisk_id")
        return {"kernel": self.image_cache.fetch(ctx, kernel_id),
                "initrd": self.image_cache.fetch(ctx, ramdisk_id) if ramdisk_id else None,
                "cmdline": image.get("os_command_line")}

    def _disks(self, instance: dict[str, Any], base: pathlib.Path, disk_format: str | None,
               folder: pathlib.Path) -> list[tuple[pathlib.Path, str, str]]:
        """Root (vda), then ephemeral, swap and config drive as they are wanted."""
        flavor = instance["flavor"]
        root = folder / "disk"
        disks.create_root(base, root, flavor["root_gb"],
                          disk_format if disk_format in ("raw", "qcow2") else None)
        result = [(root, "vda", "qcow2")]
        targets = iter(["vdb", "vdc", "vdd"])
        if flavor["ephemeral_gb"]:
            path = folder / "disk.eph0"
            disks.create_blank(path, flavor["ephemeral_gb"] * 1024)
            result.append((path, next(targets), "qcow2"))
        if flavor["swap"]:
            path = folder / "disk.swap"
            disks.create_blank(path, flavor["swap"])
            result.append((path, next(targets), "qcow2"))
        if configdrive.wanted(instance):
            path = folder / "disk.config"
            configdrive.build(instance, path)
            result.append((path, next(targets), "raw"))
        return result

    def _spec(self, instance: dict[str, Any], disk_list: list[tuple[pathlib.Path, str, str]],
              boot: dict[str, Any]) -> DomainSpec:
        return DomainSpec(
            name=instance_name(instance), uuid=instance["uuid"],
            virt_type=CONF.libvirt.virt_type, memory_mb=instance["memory_mb"],
            vcpus=instance["vcpus"], disks=disk_list,
            console_log=self.instance_dir(instance) / "console.log",
            vnc_listen=CONF.libvirt.vnc_listen,
            metadata={"name": instance["name"], "project": instance["project_id"]},
            nics=nics_of(instance.get("network_info")), **boot)

    def spawn(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        folder = self.instance_dir(instance)
        folder.mkdir(parents=True, exist_ok=True)
        clock = Stopwatch()
        try:
            image = image_service.metadata(ctx, instance["image_ref"])
            base = self.image_cache.fetch(ctx, instance["image_ref"])
            boot = self._kernel_boot(ctx, instance, image)
            clock.lap("image")
            spec = self._spec(instance, self._disks(instance, base, image.get("disk_format"),
                                                    folder), boot)
            clock.lap("disks")
            domain = self.conn.defineXML(to_xml(spec))
            domain.create()
            clock.lap("define+start")
        except Exception:
            self.destroy(ctx, instance)
            raise
        LOG.info("Spawned %s in %s", instance["uuid"], clock)

    # --- everything else ------------------------------------------------------------

    def _domain(self, instance: dict[str, Any]) -> libvirt.virDomain | None:
        try:
            return self.conn.lookupByUUIDString(instance["uuid"])
        except libvirt.libvirtError as e:
            if e.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            raise

    def destroy(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        domain = self._domain(instance)
        if domain is not None:
            if domain.isActive():
                domain.destroy()
            domain.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM
                                 | libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
        shutil.rmtree(self.instance_dir(instance), ignore_errors=True)

    def list_instances(self) -> list[str]:
        return [d.UUIDString() for d in self.conn.listAllDomains()]

    def _require(self, instance: dict[str, Any]) -> libvirt.virDomain:
        domain = self._domain(instance)
        if domain is None:
            raise exception.InstanceNotFound(instance_id=instance["uuid"])
        return domain

    def power_state(self, instance: dict[str, Any]) -> int:
        domain = self._domain(instance)
        return self._power_of(domain) if domain is not None else states.NOSTATE

    def power_off(self, instance: dict[str, Any], timeout: float) -> None:
        domain = self._require(instance)
        if not domain.isActive():
            return
        if timeout > 0:
            domain.shutdown()
            if self._wait_until_off(domain, timeout):
                return
        domain.destroy()

    def power_on(self, instance: dict[str, Any]) -> None:
        domain = self._require(instance)
        if not domain.isActive():
            domain.create()

    def reboot(self, instance: dict[str, Any], hard: bool, timeout: float) -> None:
        domain = self._require(instance)
        if domain.isActive():
            if not hard and domain.state()[0] == libvirt.VIR_DOMAIN_RUNNING:
                domain.shutdown()
                if not self._wait_until_off(domain, timeout):
                    domain.destroy()
            else:
                domain.destroy()
        if domain.hasManagedSaveImage():
            domain.managedSaveRemove()
        domain.create()

    def pause(self, instance: dict[str, Any]) -> None:
        self._require(instance).suspend()

    def unpause(self, instance: dict[str, Any]) -> None:
        self._require(instance).resume()

    def suspend(self, instance: dict[str, Any]) -> None:
        self._require(instance).managedSave()

    def resume(self, instance: dict[str, Any]) -> None:
        self._require(instance).create()

    def get_diagnostics(self, instance: dict[str, Any]) -> dict[str, Any]:
        domain = self._require(instance)
        info = domain.info()
        out: dict[str, Any] = {"memory": info[2], "cpu_time": info[4]}
        if domain.isActive():
            for vcpu in domain.vcpus()[0]:
                out[f"cpu{vcpu[0]}_time"] = vcpu[2]
            for name, value in domain.memoryStats().items():
                out[f"memory-{name}"] = value
            for _path, target, _fmt in self._disk_targets(domain):
                rd_req, rd_bytes, wr_req, wr_bytes, errors = domain.blockStats(target)
                out.update({f"{target}_read_req": rd_req, f"{target}_read": rd_bytes,
                            f"{target}_write_req": wr_req, f"{target}_write": wr_bytes,
                            f"{target}_errors": errors})
        return out

    @staticmethod
    def _disk_targets(domain: libvirt.virDomain) -> list[tuple[str, str, str]]:
        tree = ET.fromstring(domain.XMLDesc())
        return [(d.find("source").get("file", ""), d.find("target").get("dev", ""),
                 d.find("driver").get("type", "")) for d in tree.iter("disk")
                if d.find("source") is not None]

    def cache_image(self, ctx: RequestContext, image_id: str) -> None:
        self.image_cache.fetch(ctx, image_id)

    def age_image_cache(self, in_use: set[str], max_age: float) -> list[str]:
        return self.image_cache.age(in_use, max_age)

    def snapshot(self, instance: dict[str, Any], target: pathlib.Path) -> str:
        """Pause a running guest while its disk is copied, so the copy is consistent."""
        domain = self._require(instance)
        paused = domain.isActive() and domain.state()[0] == libvirt.VIR_DOMAIN_RUNNING
        if paused:
            domain.suspend()
        try:
            disks.flatten(self.instance_dir(instance) / "disk", target)
        finally:
            if paused:
                domain.resume()
        return "qcow2"

    # --- rescue ---------------------------------------------------------------------

    def rescue(self, ctx: RequestContext, instance: dict[str, Any], image_id: str) -> None:
        """Boot `image_id` on a fresh disk (vda) with the server's own root disk second
        (vdb), keeping the domain's definition to come back to."""
        domain = self._require(instance)
        folder = self.instance_dir(instance)
        (folder / UNRESCUE_XML).write_text(domain.XMLDesc(0))
        if domain.isActive():
            domain.destroy()
        image = image_service.metadata(ctx, image_id)
        rescue_disk = folder / "disk.rescue"
        rescue_disk.unlink(missing_ok=True)
        disks.create_root(self.image_cache.fetch(ctx, image_id), rescue_disk, 0,
                          image.get("disk_format") if image.get("disk_format") in
                          ("raw", "qcow2") else None)
        spec = self._spec(instance, [(rescue_disk, "vda", "qcow2"),
                                     (folder / "disk", "vdb", "qcow2")],
                          self._kernel_boot(ctx, {}, image))
        self.conn.defineXML(to_xml(spec)).create()

    def unrescue(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        """Back to the server's own domain and disk; the rescue disk goes."""
        domain = self._require(instance)
        folder = self.instance_dir(instance)
        if domain.isActive():
            domain.destroy()
        self.conn.defineXML((folder / UNRESCUE_XML).read_text()).create()
        (folder / "disk.rescue").unlink(missing_ok=True)
        (folder / UNRESCUE_XML).unlink()

    def trigger_crash_dump(self, instance: dict[str, Any]) -> None:
        domain = self._require(instance)
        if not domain.isActive():
            raise exception.Conflict(reason=f"Instance {instance['uuid']} is not running.")
        domain.injectNMI(0)

    def set_admin_password(self, instance: dict[str, Any], new_pass: str) -> None:
        """Through the QEMU guest agent; a guest without one reads the password from the
        metadata service instead."""
        try:
            self._require(instance).setUserPassword("root", new_pass, 0)
        except libvirt.libvirtError as e:
            raise exception.FeatureNotSupported(
                reason=f"The guest's agent cannot set its password ({e.get_error_message()}); "
                       f"the guest can read it from the metadata service.") from e

    # --- NICs after the build ----------------------------------------------------------

    def attach_interface(self, instance: dict[str, Any], vif: dict[str, Any]) -> None:
        """The NIC as the domain builder writes it, into the definition and, when the
        guest runs, into the guest."""
        domain = self._require(instance)
        flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG
        if domain.isActive():
            flags |= libvirt.VIR_DOMAIN_AFFECT_LIVE
        domain.attachDeviceFlags(interface_xml(nics_of([vif])[0]), flags)

    def detach_interface(self, instance: dict[str, Any], vif: dict[str, Any]) -> None:
        """Out of the definition at once; out of the running guest once it lets go."""
        domain = self._require(instance)
        defined = self._interface(domain, vif["address"], libvirt.VIR_DOMAIN_XML_INACTIVE)
        if defined is not None:
            domain.detachDeviceFlags(defined, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        if domain.isActive():
            self._unplug_live(domain, vif["address"])

    def _unplug_live(self, domain: libvirt.virDomain, mac: str) -> None:
        deadline = time.monotonic() + DETACH_TIMEOUT
        asked = -DETACH_RETRY
        while (live := self._interface(domain, mac)) is not None:
            now = time.monotonic()
            if now > deadline:
                self._link_down(domain, live)
                raise exception.Conflict(reason=f"The guest did not release NIC {mac} "
                                                f"within {DETACH_TIMEOUT:.0f} s; its link "
                                                f"is down.")
            if now - asked >= DETACH_RETRY:
                asked = now
                try:
                    domain.detachDeviceFlags(live, libvirt.VIR_DOMAIN_AFFECT_LIVE)
                except libvirt.libvirtError as e:  # e.g. an unplug already under way
                    LOG.debug("Unplug of %s: %s", mac, e.get_error_message())
            time.sleep(0.2)

    @staticmethod
    def _link_down(domain: libvirt.virDomain, interface: str) -> None:
        """A NIC the guest will not give back carries nothing more: its address is
        released and its port's filters go with it."""
        element = ET.fromstring(interface)
        link = element.find("link")
        if link is None:
            link = ET.SubElement(element, "link")
        link.set("state", "down")
        try:
            domain.updateDeviceFlags(ET.tostring(element, encoding="unicode"),
                                     libvirt.VIR_DOMAIN_AFFECT_LIVE)
        except libvirt.libvirtError as e:
            LOG.warning("Could not take the link of a kept NIC down: %s",
                        e.get_error_message())

    @staticmethod
    def _interface(domain: libvirt.virDomain, mac: str, flags: int = 0) -> str | None:
        """The domain's <interface> with that MAC (of its definition with
        VIR_DOMAIN_XML_INACTIVE, else of the running guest), as XML; None if none."""
        for interface in ET.fromstring(domain.XMLDesc(flags)).iter("interface"):
            found = interface.find("mac")
            if found is not None and found.get("address", "").lower() == mac.lower():
                return ET.tostring(interface, encoding="unicode")
        return None

    # --- moves (resize, cold migration) ----------------------------------------------

    def _set_aside(self, instance: dict[str, Any]) -> pathlib.Path:
        return self.instances_path / (instance["uuid"] + SET_ASIDE_SUFFIX)

    def migrate_disk_and_power_off(self, ctx: RequestContext, instance: dict[str, Any],
                                   dest_host: str, flavor: dict[str, Any],
                                   timeout: float) -> dict[str, Any]:
        """The guest off and undefined, its directory set aside with its definition; the
        destination copies from there (this host, or one sharing instances_path)."""
        if flavor["root_gb"] < instance["flavor"]["root_gb"]:
            raise exception.Invalid("Unable to resize disk down.")
        domain = self._require(instance)
        self.power_off(instance, timeout)
        folder, aside = self.instance_dir(instance), self._set_aside(instance)
        shutil.rmtree(aside, ignore_errors=True)
        (folder / RESIZE_XML).write_text(domain.XMLDesc(0))
        domain.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM
                             | libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
        folder.rename(aside)
        return {"source_host": self.host, "path": str(aside)}

    def finish_migration(self, ctx: RequestContext, instance: dict[str, Any],
                         disk_info: dict[str, Any], power_on: bool) -> None:
        """A copy of the set-aside directory, the root disk grown to the new flavor, the
        old definition with the new memory and vCPUs. Ephemeral and swap disks keep
        their size."""
        aside = pathlib.Path(disk_info["path"])
        if not (aside / RESIZE_XML).is_file():
            raise exception.Invalid(
                f"The disks of {instance['uuid']} are not reachable from {self.host} at "
                f"{aside}: moving a server between libvirt hosts needs instances_path on "
                f"storage both share.")
        folder = self.instance_dir(instance)
        shutil.rmtree(folder, ignore_errors=True)
        try:
            shutil.copytree(aside, folder)
            if instance["flavor"]["root_gb"]:
                disks.grow(folder / "disk", instance["flavor"]["root_gb"])
            xml = with_flavor((folder / RESIZE_XML).read_text(), instance["memory_mb"],
                              instance["vcpus"])
            (folder / RESIZE_XML).unlink()
            domain = self.conn.defineXML(xml)
            if power_on:
                domain.create()
        except Exception:
            self.destroy(ctx, instance)
            raise

    def confirm_migration(self, ctx: RequestContext, instance: dict[str, Any]) -> None:
        shutil.rmtree(self._set_aside(instance), ignore_errors=True)

    def finish_revert_migration(self, ctx: RequestContext, instance: dict[str, Any],
                                power_on: bool) -> None:
        """The set-aside directory back in place and its domain defined again."""
        folder, aside = self.instance_dir(instance), self._set_aside(instance)
        if not (aside / RESIZE_XML).is_file():
            raise exception.InstanceNotFound(instance_id=instance["uuid"])
        shutil.rmtree(folder, ignore_errors=True)
        aside.rename(folder)
        domain = self.conn.defineXML((folder / RESIZE_XML).read_text())
        (folder / RESIZE_XML).unlink()
        if power_on:
            domain.create()

    def get_host_uptime(self) -> str:
        """This host's, from /proc/uptime and its load average (libvirt has no call for
        it; Nova runs `uptime` on the compute host, which prints the same line)."""
        try:
            seconds = float(pathlib.Path("/proc/uptime").read_text().split()[0])
            load = os.getloadavg()
        except (OSError, ValueError, IndexError) as e:
            raise exception.FeatureNotSupported(
                reason=f"The host's uptime cannot be read: {e}") from e
        return uptime_line(seconds, logged_in_users(), load)

    def get_console_output(self, instance: dict[str, Any]) -> str:
        path = self.instance_dir(instance) / "console.log"
        if not path.exists():
            return ""
        size = path.stat().st_size
        with open(path, "rb") as f:
            f.seek(max(0, size - CONF.libvirt.console_log_max_bytes))
            return f.read().decode("utf-8", errors="replace")
