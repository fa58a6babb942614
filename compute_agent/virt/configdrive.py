"""Config drives: the metadata tree on an ISO 9660 volume labelled config-2."""
from __future__ import annotations

import pathlib
import subprocess
import tempfile
from typing import Any

from stratus import exception, instance_metadata
from stratus.config import CONF


def wanted(instance: dict[str, Any]) -> bool:
    """Asked for, forced by the operator, or the only way the guest learns an address:
    a NIC on a network without DHCP (FlatManager) is configured from network_data.json."""
    return (bool(instance.get("config_drive")) or CONF.compute.force_config_drive
            or needs_static_addresses(instance.get("network_info")))


def needs_static_addresses(network_info: list[dict[str, Any]] | None) -> bool:
    # network_info written before networks said whether they serve DHCP meant DHCP.
    return any(not vif["network"].get("dhcp", True) for vif in network_info or [])


def build(instance: dict[str, Any], path: pathlib.Path) -> None:
    """Write the instance's config drive image to `path`."""
    with tempfile.TemporaryDirectory() as tree:
        for name, data in instance_metadata.files(instance).items():
            target = pathlib.Path(tree, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        result = subprocess.run(
            ["genisoimage", "-o", str(path), "-ldots", "-allow-lowercase", "-allow-multidot",
             "-l", "-publisher", "Stratus", "-quiet", "-J", "-r", "-V", "config-2", tree],
            capture_output=True, text=True)
    if result.returncode != 0:
        raise exception.StratusError(f"Building the config drive failed: {result.stderr}")
