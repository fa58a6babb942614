"""What a guest learns about itself: the OpenStack and EC2 metadata trees, as Nova serves
them (its nova/api/metadata/base.py is the reference for names, versions and formats).

The config drive writes these documents as files; the metadata service (metadata_api)
serves them over HTTP: both come from this one module, so a guest gets the same facts
either way. `instance` is the conductor's instance dict; the metadata service's has
`security_groups` (names) and `admin_pass` as well.
"""
from __future__ import annotations

import base64
import json
import logging
import os
from typing import Any

from stratus.config import CONF

LOG = logging.getLogger(__name__)

# Dated versions of the OpenStack tree, oldest first; `latest` is the newest.
OPENSTACK_VERSIONS = ["2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
                      "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "2025-04-04"]
EC2_VERSIONS = ["1.0", "2007-01-19", "2007-03-01", "2007-08-29", "2007-10-10", "2007-12-15",
                "2008-02-01", "2008-09-01", "2009-04-04"]
LATEST = "latest"
MAX_PASSWORD = 1020  # bytes a guest may post: Nova's four chunks of 255
# File of the OpenStack tree -> the first version that has it (user_data: when given).
OPENSTACK_FILES = {"meta_data.json": "2012-08-10", "user_data": "2012-08-10",
                   "password": "2013-04-04", "vendor_data.json": "2013-10-17",
                   "network_data.json": "2015-10-15", "vendor_data2.json": "2016-10-06"}


def resolve(version: str, known: list[str]) -> str | None:
    """A dated version of the tree (`latest`: the newest); None when unknown."""
    if version == LATEST:
        return known[-1]
    return version if version in known else None


def user_data(instance: dict[str, Any]) -> bytes | None:
    encoded = instance.get("user_data")
    return base64.b64decode(encoded) if encoded else None


def hostname(instance: dict[str, Any]) -> str:
    """The instance's host name in the DHCP domain, as Nova gives it (web-1.novalocal)."""
    name = instance.get("hostname") or instance["name"]
    domain = CONF.network.dhcp_domain
    return f"{name}.{domain}" if domain else name


def _keys(instance: dict[str, Any]) -> dict[str, str]:
    if instance.get("key_name") and instance.get("key_data"):
        return {instance["key_name"]: instance["key_data"]}
    return {}


def _key_type(data: str) -> str:
    return "x509" if data.startswith("-----BEGIN CERTIFICATE-----") else "ssh"


def meta_data(instance: dict[str, Any], version: str = LATEST) -> dict[str, Any]:
    """meta_data.json of `version` (a dated one or latest), Nova's keys in Nova's order;
    random_seed is new on every call."""
    dated = resolve(version, OPENSTACK_VERSIONS) or OPENSTACK_VERSIONS[-1]
    out: dict[str, Any] = {"uuid": instance["uuid"]}
    if instance.get("metadata"):
        out["meta"] = {str(k): str(v) for k, v in instance["metadata"].items()}
    if instance.get("admin_pass"):
        out["admin_pass"] = instance["admin_pass"]
    keys = _keys(instance)
    if keys:
        out["public_keys"] = keys
        out["keys"] = [{"name": name, "type": _key_type(data), "data": data}
                       for name, data in keys.items()]
    out.update(hostname=hostname(instance), name=instance["name"],
               launch_index=instance.get("launch_index") or 0,
               availability_zone=instance.get("availability_zone"))
    if dated >= "2013-04-04":
        out["random_seed"] = base64.b64encode(os.urandom(512)).decode()
    if dated >= "2015-10-15":
        out["project_id"] = instance["project_id"]
    if dated >= "2016-06-30":
        out["devices"] = []  # no tagged devices yet
    if dated >= "2020-10-14":
        out["dedicated_cpus"] = []  # no pinned CPUs
    return out


def _network_entry(index: int, link: str, net: dict[str, Any],
                   subnet: dict[str, Any], address: str) -> dict[str, Any]:
    dhcp = net.get("dhcp", True)
    entry: dict[str, Any] = {"id": f"network{index}", "link": link, "network_id": net["id"],
                             "ip_address": address}
    if subnet["version"] == 6:
        entry.update(type="ipv6_slaac" if dhcp else "ipv6",
                     netmask=subnet["cidr"].split("/")[1], routes=[])
        return entry
    entry.update(type="ipv4_dhcp" if dhcp else "ipv4", netmask=subnet.get("netmask"),
                 routes=[{"network": "0.0.0.0", "netmask": "0.0.0.0",
                          "gateway": subnet["gateway"]}] if subnet.get("gateway") else [],
                 services=[{"type": "dns", "address": a} for a in subnet.get("dns", [])])
    return entry


def network_data(instance: dict[str, Any]) -> dict[str, Any]:
    """The guest's NICs (links), their addresses (networks: static where the network
    has no DHCP) and DNS servers, as Nova's network_data.json."""
    links, networks, dns = [], [], []
    for vif in instance.get("network_info") or []:
        net = vif["network"]
        links.append({"id": vif["devname"], "vif_id": vif["id"], "type": vif["type"],
                      "ethernet_mac_address": vif["address"], "mtu": net.get("mtu")})
        for subnet in net["subnets"]:
            dns += [a for a in subnet.get("dns", []) if a not in dns]
            for ip in subnet["ips"]:
                networks.append(_network_entry(len(networks), vif["devname"], net, subnet,
                                               ip["address"]))
    return {"links": links, "networks": networks,
            "services": [{"type": "dns", "address": a} for a in dns]}


def vendor_data() -> Any:
    """The operator's static vendor data (vendordata_jsonfile_path), {} when none or
    when the file cannot be read (said in the log, as Nova does)."""
    path = CONF.vendordata_jsonfile_path
    if not path or "StaticJSON" not in CONF.vendordata_providers:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        LOG.warning("vendordata_jsonfile_path %s: %s; serving {}", path, e)
        return {}


def openstack_listing(instance: dict[str, Any], version: str) -> list[str] | None:
    """The files of the OpenStack tree's `version`, in Nova's order; None when the
    version is unknown."""
    dated = resolve(version, OPENSTACK_VERSIONS)
    if dated is None:
        return None
    return [name for name, since in OPENSTACK_FILES.items() if dated >= since
            and (name != "user_data" or instance.get("user_data"))]


def openstack_document(instance: dict[str, Any], version: str, name: str) -> Any:
    """The JSON documents of the OpenStack tree (meta_data, network_data, vendor data),
    as Python values; None for a file the version has not (or not a JSON one)."""
    listing = openstack_listing(instance, version) or []
    if name not in listing:
        return None
    if name == "meta_data.json":
        return meta_data(instance, version)
    if name == "network_data.json":
        return network_data(instance)
    if name == "vendor_data.json":
        return vendor_data()
    if name == "vendor_data2.json":  # the dynamic entries: metadata_api's service layer
        return {"static": vendor_data()} if "StaticJSON" in CONF.vendordata_providers \
            else {}
    return None


def _first_fixed(instance: dict[str, Any], version: int) -> str | None:
    for vif in instance.get("network_info") or []:
        for subnet in vif["network"]["subnets"]:
            for ip in subnet["ips"]:
                if subnet["version"] == version and ip.get("type", "fixed") == "fixed":
                    return str(ip["address"])
    return None


def _first_floating(instance: dict[str, Any]) -> str:
    for vif in instance.get("network_info") or []:
        for subnet in vif["network"]["subnets"]:
            for ip in subnet["ips"]:
                for floating in ip.get("floating_ips") or []:
                    return str(floating)
    return ""


def _ec2_id(prefix: str, uuid: str | None) -> str | None:
    """An EC2-style id for an image: its prefix and the first 8 hex digits of its uuid
    (Nova numbers them in a mapping table; these are as stable and need none)."""
    return f"{prefix}-{uuid.replace('-', '')[:8]}" if uuid else None


def _block_devices(instance: dict[str, Any]) -> dict[str, str]:
    root = instance.get("root_device_name") or "/dev/vda"
    out = {"ami": root.removeprefix("/dev/"), "root": root}
    prefix = root.removeprefix("/dev/")[:-1]
    extra = iter("bcdefgh")
    if instance.get("ephemeral_gb"):
        out["ephemeral0"] = prefix + next(extra)
    if (instance.get("flavor") or {}).get("swap"):
        out["swap"] = prefix + next(extra)
    return out


def ec2_meta_data(instance: dict[str, Any], version: str = LATEST) -> dict[str, Any]:
    """The EC2 tree's meta-data of `version` as nested dicts (leaves: text, or lists of
    lines), Nova's keys for each version."""
    dated = resolve(version, EC2_VERSIONS) or EC2_VERSIONS[-1]
    name = hostname(instance)
    out: dict[str, Any] = {
        "ami-id": _ec2_id("ami", instance.get("image_ref")) or "None",
        "ami-launch-index": str(instance.get("launch_index") or 0),
        "ami-manifest-path": "FIXME",
        "instance-id": "i-%08x" % instance["id"],
        "hostname": name,
        "local-ipv4": _first_fixed(instance, 4) or "",
        "reservation-id": instance.get("reservation_id") or "",
        "security-groups": list(instance.get("security_groups") or []),
    }
    keys = _keys(instance)
    if keys:
        key, data = next(iter(keys.items()))
        # `_name` is what a listing shows for the entry (Nova's convention).
        out["public-keys"] = {"0": {"_name": f"0={key}", "openssh-key": data}}
    if dated >= "2007-01-19":
        out.update({"local-hostname": name, "public-hostname": name,
                    "public-ipv4": _first_floating(instance)})
    if dated >= "2007-08-29":
        out["instance-type"] = (instance.get("flavor") or {}).get("name", "")
    if dated >= "2007-12-15":
        out["block-device-mapping"] = _block_devices(instance)
        for key, prefix in (("kernel-id", "aki"), ("ramdisk-id", "ari")):
            found = _ec2_id(prefix, instance.get(key.replace("-", "_")))
            if found:
                out[key] = found
    if dated >= "2008-02-01":
        out["placement"] = {"availability-zone": str(instance.get("availability_zone"))}
    if dated >= "2008-09-01":
        out["instance-action"] = "none"
    return out


def files(instance: dict[str, Any]) -> dict[str, bytes]:
    """Every file of the metadata tree, by path, as on a config drive."""
    out: dict[str, bytes] = {}
    data = user_data(instance)
    for version in [*OPENSTACK_VERSIONS, LATEST]:
        for name in openstack_listing(instance, version) or []:
            path = f"openstack/{version}/{name}"
            if name == "user_data" and data is not None:
                out[path] = data
            elif name != "password":
                out[path] = json.dumps(openstack_document(instance, version, name)).encode()
    for version in [*EC2_VERSIONS[-1:], LATEST]:
        out[f"ec2/{version}/meta-data.json"] = json.dumps(
            ec2_meta_data(instance, version)).encode()
        if data is not None:
            out[f"ec2/{version}/user-data"] = data
    return out

