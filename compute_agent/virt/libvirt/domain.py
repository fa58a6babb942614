"""The libvirt domain XML of an instance."""
from __future__ import annotations

import dataclasses
import pathlib
import xml.etree.ElementTree as ET
from typing import Any


@dataclasses.dataclass
class DomainSpec:
    name: str
    uuid: str
    virt_type: str
    memory_mb: int
    vcpus: int
    disks: list[tuple[pathlib.Path, str, str]]  # (file, target dev, format)
    console_log: pathlib.Path
    vnc_listen: str
    kernel: pathlib.Path | None = None
    initrd: pathlib.Path | None = None
    cmdline: str | None = None
    metadata: dict[str, str] = dataclasses.field(default_factory=dict)
    nics: list["Nic"] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Nic:
    """A virtio NIC on a bridge, with its MAC, tap name and MTU."""
    mac: str
    bridge: str
    devname: str
    mtu: int | None = None


def nics_of(network_info: list[dict[str, Any]] | None) -> list[Nic]:
    """The NICs of an instance's network_info, in order."""
    return [Nic(mac=vif["address"], bridge=vif["network"]["bridge"],
                devname=vif["devname"], mtu=vif["network"].get("mtu"))
            for vif in network_info or []]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _interface(nic: Nic) -> ET.Element:
    interface = ET.Element("interface", type="bridge")
    _sub(interface, "mac", address=nic.mac)
    _sub(interface, "source", bridge=nic.bridge)
    _sub(interface, "target", dev=nic.devname)
    _sub(interface, "model", type="virtio")
    if nic.mtu:
        _sub(interface, "mtu", size=str(nic.mtu))
    return interface


def interface_xml(nic: Nic) -> str:
    """The <interface> of one NIC, as a domain's definition has it (hot-plugs)."""
    return ET.tostring(_interface(nic), encoding="unicode")


def to_xml(spec: DomainSpec) -> str:
    dom = ET.Element("domain", type=spec.virt_type)
    _sub(dom, "name", spec.name)
    _sub(dom, "uuid", spec.uuid)
    _sub(dom, "memory", str(spec.memory_mb), unit="MiB")
    _sub(dom, "vcpu", str(spec.vcpus))
    meta = _sub(dom, "metadata")
    stratus = ET.SubElement(meta, "stratus:instance",
                            {"xmlns:stratus": "https://stratus.invalid/xmlns/instance/1"})
    for key, value in spec.metadata.items():
        _sub(stratus, f"stratus:{key}", value)
    os_el = _sub(dom, "os")
    _sub(os_el, "type", "hvm", arch="x86_64", machine="pc")
    if spec.kernel is not None:
        _sub(os_el, "kernel", str(spec.kernel))
        if spec.initrd is not None:
            _sub(os_el, "initrd", str(spec.initrd))
        _sub(os_el, "cmdline", spec.cmdline or "console=ttyS0 root=/dev/vda rw")
    else:
        _sub(os_el, "boot", dev="hd")
    features = _sub(dom, "features")
    _sub(features, "acpi")
    _sub(dom, "on_poweroff", "destroy")
    _sub(dom, "on_reboot", "restart")
    _sub(dom, "on_crash", "destroy")
    devices = _sub(dom, "devices")
    for path, target, fmt in spec.disks:
        disk = _sub(devices, "disk", type="file", device="disk")
        _sub(disk, "driver", name="qemu", type=fmt, cache="writeback")
        _sub(disk, "source", file=str(path))
        _sub(disk, "target", dev=target, bus="virtio")
    for nic in spec.nics:
        devices.append(_interface(nic))
    for tag in ("serial", "console"):
        element = _sub(devices, tag, type="file")
        _sub(element, "source", path=str(spec.console_log), append="on")
        if tag == "serial":
            _sub(element, "target", port="0")
        else:
            _sub(element, "target", type="serial", port="0")
    graphics = _sub(devices, "graphics", type="vnc", port="-1", autoport="yes",
                    listen=spec.vnc_listen)
    _sub(graphics, "listen", type="address", address=spec.vnc_listen)
    return ET.tostring(dom, encoding="unicode")


def with_flavor(xml: str, memory_mb: int, vcpus: int) -> str:
    """A domain definition given another flavor's memory and vCPUs (a resize)."""
    dom = ET.fromstring(xml)
    for tag in ("memory", "currentMemory"):
        element = dom.find(tag)
        if element is not None:
            element.text, element.attrib = str(memory_mb), {"unit": "MiB"}
    vcpu = dom.find("vcpu")
    if vcpu is None:
        vcpu = ET.SubElement(dom, "vcpu")
    vcpu.text = str(vcpus)
    return ET.tostring(dom, encoding="unicode")
