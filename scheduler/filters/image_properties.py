"""ImagePropertiesFilter: the host can run the image's architecture, hypervisor type and
vm mode (image properties architecture, img_hv_type or hypervisor_type, vm_mode)."""
from __future__ import annotations

from typing import Any

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest

ALIASES = {"x86-64": "x86_64", "amd64": "x86_64", "kvm": "qemu", "hvm": "hvm"}


def _norm(value: Any) -> str | None:
    if not value:
        return None
    text = str(value).lower()
    return ALIASES.get(text, text)


def _wanted(spec: SchedulingRequest) -> tuple[str | None, str | None, str | None]:
    props = spec.image.get("properties") or {}
    return (_norm(props.get("architecture")),
            _norm(props.get("img_hv_type") or props.get("hypervisor_type")),
            _norm(props.get("vm_mode")))


class ImagePropertiesFilter(BaseHostFilter):
    def applies(self, spec: SchedulingRequest) -> bool:
        return any(_wanted(spec))

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        wanted = _wanted(spec)
        for triple in host.supported_instances:
            offered = tuple(_norm(v) for v in triple)
            if all(w is None or w == o for w, o in zip(wanted, offered)):
                return True
        return False

    def reason(self, spec: SchedulingRequest) -> str:
        arch, hv_type, vm_mode = _wanted(spec)
        wanted = ", ".join(f"{k} {v}" for k, v in (("architecture", arch),
                                                   ("hypervisor type", hv_type),
                                                   ("vm mode", vm_mode)) if v)
        return f"cannot run images needing {wanted}"
