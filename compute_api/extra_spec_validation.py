"""Microversion 2.86: the values of known flavor extra specs are checked, as Nova checks
them. A key in a namespace this table knows must be one of its keys; keys of other
namespaces, and keys with no namespace, are taken as they come.

Value patterns are Nova's, matched with RE2: several nest quantifiers and would take
exponential time in a backtracking engine on a crafted 255-character value.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any, NoReturn

import re2

from stratus import exception

TRUE_WORDS = ("1", "t", "true", "on", "y", "yes")
FALSE_WORDS = ("0", "f", "false", "off", "n", "no")

# os-resource-classes' standard classes; any other must be CUSTOM_*.
STANDARD_RESOURCE_CLASSES = (
    "VCPU", "MEMORY_MB", "DISK_GB", "PCI_DEVICE", "SRIOV_NET_VF", "NUMA_SOCKET",
    "NUMA_CORE", "NUMA_THREAD", "NUMA_MEMORY_MB", "IPV4_ADDRESS", "VGPU",
    "VGPU_DISPLAY_HEAD", "NET_BW_EGR_KILOBIT_PER_SEC", "NET_BW_IGR_KILOBIT_PER_SEC",
    "PCPU", "MEM_ENCRYPTION_CONTEXT", "FPGA", "PGPU", "NET_PACKET_RATE_KILOPACKET_PER_SEC",
    "NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC", "NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC")

# What each {placeholder} of a templated key may be.
PLACEHOLDERS = {
    "num": r"\d+",
    "group": r"[a-zA-Z0-9_-]{0,64}",
    "key": r".+",
    "filter": r"(?::\w+)*",
    "resource_class": "(?:" + "|".join(STANDARD_RESOURCE_CLASSES) + r"|CUSTOM_[A-Z0-9_]+)",
    # Nova lists os-traits' standard names, which are not vendored here: any upper-case
    # name (standard-looking or CUSTOM_*) is taken.
    "trait": r"[A-Z0-9_]+",
}

CPU_MASK = r"\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*"
PROC_UNITS = r"\d+\.\d+"


@dataclasses.dataclass(frozen=True)
class Spec:
    """A known key (a template when it has {placeholders}) and what its value may be."""
    name: str
    kind: type = str
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None


def _bool(name: str) -> Spec:
    return Spec(name, bool)


def _int(name: str, minimum: int | None = None, maximum: int | None = None) -> Spec:
    """An integer key, within `minimum` and `maximum` when they are given."""
    return Spec(name, int, minimum=minimum, maximum=maximum)


def _enum(name: str, *choices: str) -> Spec:
    return Spec(name, choices=choices)


def _text(name: str, pattern: str | None = None) -> Spec:
    return Spec(name, pattern=pattern)


UNNAMESPACED = [
    _bool("hide_hypervisor_id"),
    _enum("group_policy", "isolate", "none"),
]

HW = [
    _bool("hw:cpu_realtime"),
    _text("hw:cpu_realtime_mask", r"(\^)?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*"),
    _bool("hw:hide_hypervisor_id"),
    _enum("hw:cpu_policy", "dedicated", "shared", "mixed"),
    _enum("hw:cpu_thread_policy", "prefer", "isolate", "require"),
    _enum("hw:emulator_threads_policy", "isolate", "share"),
    _text("hw:cpu_dedicated_mask", CPU_MASK),
    _text("hw:mem_page_size", r"(large|small|any|\d+([kKMGT]i?)?(b|bit|B)?)"),
    _bool("hw:locked_memory"),
    _int("hw:numa_nodes", 1),
    _text("hw:numa_cpus.{num}", CPU_MASK),
    _int("hw:numa_mem.{num}", 1),
    _enum("hw:pci_numa_affinity_policy", "required", "preferred", "legacy", "socket"),
    *[_int(f"hw:cpu_{limit}{unit}", 1)
      for limit in ("", "max_") for unit in ("sockets", "cores", "threads")],
    _bool("hw:boot_menu"),
    _bool("hw:vif_multiqueue_enabled"),
    _bool("hw:mem_encryption"),
    _enum("hw:mem_encryption_model", "amd-sev", "amd-sev-es", "amd-sev-snp"),
    _text("hw:pmem", "([a-zA-Z0-9_]+(,)?)+"),
    _bool("hw:pmu"),
    _int("hw:serial_port_count", 0),
    _enum("hw:tpm_model", "tpm-tis", "tpm-crb"),
    _enum("hw:tpm_version", "1.2", "2.0"),
    _enum("hw:tpm_secret_security", "user", "host", "deployment"),
    _enum("hw:watchdog_action", "none", "pause", "poweroff", "reset", "disabled"),
    _enum("hw:viommu_model", "intel", "smmuv3", "virtio", "auto"),
    _bool("hw:virtio_packed_ring"),
    _enum("hw:sound_model", "sb16", "es1370", "pcspk", "ac97", "ich6", "ich9", "usb",
          "virtio"),
    _enum("hw:usb_model", "none", "nec-xhci", "qemu-xhci"),
    _int("hw:redirected_usb_ports", 0, 15),
    _bool("hw:ephemeral_encryption"),
    _enum("hw:ephemeral_encryption_format", "plain", "luks", "luksv2"),
]

HW_DEVICES = [
    _bool("hw_rng:allowed"),
    _int("hw_rng:rate_bytes", 0),
    _int("hw_rng:rate_period", 0),
    _int("hw_video:ram_max_mb", 0),
]

# Nova's since-removed PowerVM driver's keys, as Nova 2.86 validated them.
POWERVM = [
    _int("powervm:min_mem", 256),
    _int("powervm:max_mem", 256),
    _int("powervm:min_vcpu", 1),
    _int("powervm:max_vcpu", 1),
    _text("powervm:proc_units", PROC_UNITS),
    _text("powervm:min_proc_units", PROC_UNITS),
    _text("powervm:max_proc_units", PROC_UNITS),
    _bool("powervm:dedicated_proc"),
    _int("powervm:shared_weight", 0, 255),
    _int("powervm:availability_priority", 0, 255),
    _bool("powervm:uncapped"),
    _enum("powervm:dedicated_sharing_mode", "share_idle_procs", "keep_idle_procs",
          "share_idle_procs_active", "share_idle_procs_always"),
    _enum("powervm:processor_compatibility", "default", "POWER6", "POWER6+",
          "POWER6_Enhanced", "POWER6+_Enhanced", "POWER7", "POWER8"),
    _text("powervm:shared_proc_pool_name"),
    _bool("powervm:srr_capability"),
]


def _quota_specs() -> list[Spec]:
    specs: list[Spec] = []
    for key in ("cpu", "memory", "disk_io", "vif"):
        specs += [_int(f"quota:{key}_limit", 0), _int(f"quota:{key}_reservation"),
                  _enum(f"quota:{key}_shares_level", "custom", "high", "normal", "low"),
                  _int(f"quota:{key}_shares_share", 0)]
    specs += [_int("quota:cpu_shares", 0), _int("quota:cpu_period", 0),
              _int("quota:cpu_quota")]
    specs += [_int(f"quota:disk_{stat}_{metric}_sec", 0)
              for stat in ("read", "write", "total") for metric in ("bytes", "iops")]
    specs += [_int(f"quota:vif_{way}_{metric}", 0)
              for way in ("inbound", "outbound") for metric in ("average", "peak", "burst")]
    return specs


# The host fields the ComputeCapabilitiesFilter compares; the nested ones take a path.
CAPABILITIES = (
    "id", "uuid", "service_id", "host", "vcpus", "memory_mb", "local_gb", "vcpus_used",
    "memory_mb_used", "local_gb_used", "hypervisor_type", "hypervisor_version",
    "hypervisor_hostname", "free_ram_mb", "free_disk_gb", "current_workload",
    "running_vms", "disk_available_least", "host_ip", "mapped", "cpu_allocation_ratio",
    "ram_allocation_ratio", "disk_allocation_ratio", "total_usable_ram_mb",
    "total_usable_disk_gb", "disk_mb_used", "free_disk_mb", "vcpus_total",
    "num_instances", "num_io_ops", "failed_builds", "aggregates", "cell_uuid", "updated")
NESTED_CAPABILITIES = (
    "cpu_info", "metrics", "stats", "numa_topology", "supported_hv_specs",
    "pci_device_pools", "nodename", "pci_stats", "supported_instances", "limits",
    "instances")

OTHERS = [
    _text("accel:device_profile"),
    _text("aggregate_instance_extra_specs:{key}"),
    *[_text(f"capabilities:{name}") for name in CAPABILITIES],
    *[_text(f"capabilities:{name}{{filter}}") for name in NESTED_CAPABILITIES],
    _enum("os:secure_boot", "disabled", "required"),
    _text("pci_passthrough:alias", r"[^:]+:\d+(?:\s*,\s*[^:]+:\d+)*"),
    _int("resources{group}:{resource_class}"),
    _enum("trait{group}:{trait}", "required", "forbidden"),
    _text("vmware:hw_version"),
    _text("vmware:storage_policy"),
]

SPECS = UNNAMESPACED + HW + HW_DEVICES + POWERVM + _quota_specs() + OTHERS


def _template_regex(template: str) -> str:
    """`template` as a regular expression: literal text escaped, placeholders filled."""
    parts = []
    for chunk in template.split("{"):
        name, brace, literal = chunk.partition("}")
        if brace:
            parts.append(PLACEHOLDERS[name])
        else:
            literal = name
        parts.append(re2.escape(literal))
    return "".join(parts)


EXACT = {spec.name: spec for spec in SPECS if "{" not in spec.name}
TEMPLATED = [(re2.compile(_template_regex(spec.name)), spec)
             for spec in SPECS if "{" in spec.name]
NAMESPACES = [re2.compile(regex) for regex in
              sorted({_template_regex(spec.name.split(":", 1)[0]) for spec in SPECS
                      if ":" in spec.name})]


def _find(key: str) -> Spec | None:
    if key in EXACT:
        return EXACT[key]
    return next((spec for regex, spec in TEMPLATED if regex.fullmatch(key)), None)


def _known_namespace(key: str) -> bool:
    if ":" not in key:
        return False
    prefix = key.split(":", 1)[0]
    return any(regex.fullmatch(prefix) for regex in NAMESPACES)


def _refuse(detail: str) -> NoReturn:
    raise exception.ValidationError(reason=f"Validation failed; {detail}")


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> re2._Regexp:
    return re2.compile(pattern)


def _check_text(spec: Spec, value: str) -> None:
    if spec.pattern is not None:
        if not _compiled(spec.pattern).fullmatch(value):
            _refuse(f"'{value}' is not of the format '{spec.pattern}'.")
    elif spec.choices and value not in spec.choices:
        _refuse(f"'{value}' is not one of: {', '.join(spec.choices)}.")


def _check_int(spec: Spec, value: str) -> None:
    try:
        number = int(value)
    except ValueError:
        _refuse(f"'{value}' is not a valid integer value.")
    if spec.maximum is not None and number > spec.maximum:
        _refuse(f"'{number}' is greater than the max value of '{spec.maximum}'.")
    if spec.minimum is not None and number < spec.minimum:
        _refuse(f"'{number}' is less than the min value of '{spec.minimum}'.")


def _check_bool(value: str) -> None:
    if value.strip().lower() not in TRUE_WORDS + FALSE_WORDS:
        _refuse(f"'{value}' is not a valid boolean-like value.")


def validate(key: str, value: Any) -> None:
    """ValidationError (400, Nova's message) when `value` does not suit a known `key`,
    or `key` is unknown in a known namespace."""
    # Numbers and booleans are checked as Python prints them ("True"), as Nova does.
    text = value if isinstance(value, str) else str(value)
    spec = _find(key)
    if spec is None:
        if _known_namespace(key):
            _refuse(f"extra spec '{key}' does not appear to be a valid extra spec.")
        return
    if spec.kind is int:
        _check_int(spec, text)
    elif spec.kind is bool:
        _check_bool(text)
    else:
        _check_text(spec, text)


def validate_all(specs: dict[str, Any]) -> None:
    for key, value in specs.items():
        validate(key, value)
