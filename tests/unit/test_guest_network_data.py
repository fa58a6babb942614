"""The test guest's static configuration from network_data.json
(stratus_tools/guest/network_data.sh), run with the busybox the guest is built from and
`ip` replaced by a recorder."""
from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
from typing import Any

import pytest

from stratus import instance_metadata
from stratus_tools.guest import builder

SCRIPT = builder.HERE / "network_data.sh"
pytestmark = pytest.mark.skipif(not builder.BUSYBOX.exists() and not shutil.which("busybox"),
                                reason="no busybox here")
# `ip` as the guest's script calls it: each call recorded; `ip route` lists the default
# route once one was added.
RECORDER = """
ip() {
    echo "ip $*" >> "$CALLS"
    if [ "$*" = route ]; then grep -o 'default via .*' "$CALLS"; fi
    return 0
}
"""


def _busybox() -> str:
    return str(builder.BUSYBOX) if builder.BUSYBOX.exists() else str(shutil.which("busybox"))


def _sh(script: str, tmp_path: pathlib.Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`script` after network_data.sh, in busybox sh with busybox's tools only."""
    tools = tmp_path / "bin"
    if not tools.exists():
        tools.mkdir()
        for tool in ("awk", "grep", "cut", "sed", "cat"):
            (tools / tool).symlink_to(_busybox())
    return subprocess.run([_busybox(), "sh", "-c", f". {SCRIPT}\n{RECORDER}\n{script}"],
                          input=stdin, capture_output=True, text=True, timeout=30,
                          env={"PATH": str(tools), "CALLS": str(tmp_path / "calls")})


def _flat_reference(value: Any, path: str = "") -> list[str]:
    """json_flat's output, computed in Python."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        text = "null" if value is None else json.dumps(value) if not isinstance(
            value, str) else value
        return [f"{path}={text}"]
    return [line for k, v in items for line in _flat_reference(v, f"{path}.{k}".lstrip("."))]


def _vif(index: int, mac: str, dhcp: bool, addresses: list[str],
         gateway: str | None = "10.9.0.1") -> dict[str, Any]:
    return {"id": f"vif-{index}", "address": mac, "type": "bridge", "devname": f"tap{index}",
            "network": {"id": f"net-{index}", "mtu": 1400 + index, "dhcp": dhcp, "subnets": [{
                "cidr": "10.9.0.0/24", "version": 4, "gateway": gateway, "dns": ["10.9.0.2"],
                "netmask": "255.255.255.0",
                "ips": [{"address": a, "type": "fixed", "version": 4} for a in addresses]}]}}


INSTANCE = {"network_info": [
    _vif(0, "fa:16:3e:00:00:01", True, ["10.9.0.5"]),
    _vif(1, "fa:16:3e:00:00:02", False, ["10.9.0.6", "10.9.0.7"]),
    _vif(2, "fa:16:3e:00:00:03", False, ["10.8.0.6"], gateway=None)]}


@pytest.mark.parametrize("document", [
    instance_metadata.network_data(INSTANCE),
    {"a": [1, -2.5e3, True, False, None, [], {}], "b": {"c": "x, y: {z}", "d": "q\"uote"},
     "e": [[1, 2], [{"f": "g"}]]},
])
@pytest.mark.parametrize("indent", [None, 2])
def test_json_flat_gives_every_scalar_with_its_path(tmp_path: pathlib.Path, document: Any,
                                                    indent: int | None) -> None:
    result = _sh("json_flat", tmp_path, json.dumps(document, indent=indent))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == _flat_reference(document)


def _configure(tmp_path: pathlib.Path, *nics: tuple[str, str]) -> tuple[list[str], list[str]]:
    """static_config for each (nic, mac): what each call answered, and the `ip` calls."""
    (tmp_path / "nd.json").write_text(json.dumps(instance_metadata.network_data(INSTANCE)))
    calls = "".join(f'static_config "$F" {nic} {mac} && echo {nic} static || '
                    f'echo {nic} other\n' for nic, mac in nics)
    result = _sh(f'F={tmp_path}/flat; json_flat < {tmp_path}/nd.json > "$F"\n{calls}',
                 tmp_path)
    assert result.returncode == 0 and not result.stderr, result.stderr
    recorded = tmp_path / "calls"
    return result.stdout.split("\n")[:-1], \
        recorded.read_text().splitlines() if recorded.exists() else []


def test_a_nic_on_a_network_without_dhcp_gets_its_addresses_mtu_and_route(
        tmp_path: pathlib.Path) -> None:
    answers, calls = _configure(tmp_path, ("eth1", "FA:16:3E:00:00:02"))
    assert answers == ["eth1 static"]
    assert calls == ["ip link set dev eth1 mtu 1401", "ip -4 addr flush dev eth1",
                     "ip addr add 10.9.0.6/24 dev eth1", "ip route",
                     "ip route add default via 10.9.0.1 dev eth1",
                     "ip addr add 10.9.0.7/24 dev eth1", "ip route"]


def test_dhcp_nics_and_unknown_macs_are_left_to_dhcp(tmp_path: pathlib.Path) -> None:
    answers, calls = _configure(tmp_path, ("eth0", "fa:16:3e:00:00:01"),
                                ("eth9", "fa:16:3e:00:00:99"))
    assert answers == ["eth0 other", "eth9 other"] and calls == []


def test_only_the_first_gateway_becomes_the_default_route(tmp_path: pathlib.Path) -> None:
    _answers, calls = _configure(tmp_path, ("eth1", "fa:16:3e:00:00:02"),
                                 ("eth2", "fa:16:3e:00:00:03"))
    assert [c for c in calls if "default" in c] == [
        "ip route add default via 10.9.0.1 dev eth1"]
    assert "ip addr add 10.8.0.6/24 dev eth2" in calls


def test_without_network_data_every_nic_is_left_to_dhcp(tmp_path: pathlib.Path) -> None:
    (tmp_path / "empty").write_text("")
    result = _sh(f'static_config {tmp_path}/empty eth0 fa:16:3e:00:00:01 || echo dhcp',
                 tmp_path)
    assert result.stdout == "dhcp\n" and not result.stderr


@pytest.mark.parametrize("mask, prefix", [("255.255.255.0", "24"), ("255.255.240.0", "20"),
                                          ("255.255.255.255", "32"), ("0.0.0.0", "0"),
                                          ("26", "26")])
def test_prefix_of_a_netmask(tmp_path: pathlib.Path, mask: str, prefix: str) -> None:
    assert _sh(f"prefix_of {mask}", tmp_path).stdout == f"{prefix}\n"


def test_the_ipv6_address_of_a_nic_comes_with_its_kind(tmp_path: pathlib.Path) -> None:
    dual = _vif(0, "fa:16:3e:00:00:01", True, ["10.9.0.5"])
    dual["network"]["subnets"].append({
        "cidr": "fd00:0:0:1::/64", "version": 6, "gateway": "fd00:0:0:1::1", "dns": [],
        "ips": [{"address": "fd00::1:f816:3eff:fe00:1", "type": "fixed", "version": 6}]})
    static = _vif(1, "fa:16:3e:00:00:02", False, ["10.9.0.6"])
    static["network"]["subnets"].append({**dual["network"]["subnets"][1], "ips": [
        {"address": "fd00::1:f816:3eff:fe00:2", "type": "fixed", "version": 6}]})
    document = instance_metadata.network_data({"network_info": [dual, static]})
    (tmp_path / "nd.json").write_text(json.dumps(document))
    result = _sh(f'F={tmp_path}/flat; json_flat < {tmp_path}/nd.json > "$F"\n'
                 'for mac in fa:16:3e:00:00:01 FA:16:3E:00:00:02 fa:16:3e:00:00:09; do '
                 'echo "[$(ipv6_address "$F" $mac)]"; done', tmp_path)
    assert result.stdout.splitlines() == ["[fd00::1:f816:3eff:fe00:1 ipv6_slaac 64]",
                                          "[fd00::1:f816:3eff:fe00:2 ipv6 64]", "[]"]
