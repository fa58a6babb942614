import pytest

from scheduler.filters.image_properties import ImagePropertiesFilter
from tests.unit.scheduler.hosts import host, spec

QEMU = [("x86_64", "qemu", "hvm")]


@pytest.mark.parametrize("props,supported,passes", [
    ({}, QEMU, True),
    ({"architecture": "x86_64"}, QEMU, True),
    ({"architecture": "amd64"}, QEMU, True),
    ({"architecture": "aarch64"}, QEMU, False),
    ({"img_hv_type": "kvm"}, QEMU, True),            # kvm images run on qemu hosts
    ({"hypervisor_type": "xen"}, QEMU, False),
    ({"vm_mode": "exe"}, QEMU, False),
    ({"architecture": "aarch64"}, QEMU + [("aarch64", "qemu", "hvm")], True),
    ({"architecture": "x86_64"}, [], False),
])
def test_image_properties(props: dict[str, str], supported: list[tuple[str, str, str]],
                          passes: bool) -> None:
    request = spec(image={"id": "i", "properties": props})
    assert ImagePropertiesFilter().host_passes(host(supported_instances=supported),
                                               request) is passes


def test_reason_names_what_the_image_needs() -> None:
    request = spec(image={"properties": {"architecture": "aarch64", "vm_mode": "hvm"}})
    assert ImagePropertiesFilter().reason(request) == (
        "cannot run images needing architecture aarch64, vm mode hvm")
