"""What a guest learns about itself: the OpenStack and EC2 metadata trees.

The config drive writes these files; the metadata service (metadata_api) will serve
the same tree over HTTP, so both come from this one module.
"""
from __future__ import annotations

import base64
import json
from typing import Any

OPENSTACK_VERSIONS = ["2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
                      "2016-10-06", "2017-02-22", "2018-08-27", "latest"]
EC2_VERSIONS = ["2009-04-04", "latest"]


def user_data(instance: dict[str, Any]) -> bytes | None:
    encoded = instance.get("user_data")
    return base64.b64decode(encoded) if encoded else None


def meta_data(instance: dict[str, Any]) -> dict[str, Any]:
    keys = {}
    if instance.get("key_name") and instance.get("key_data"):
        keys[instance["key_name"]] = instance["key_data"]
    return {
        "uuid": instance["uuid"],
        "name": instance["name"],
        "hostname": instance.get("hostname") or instance["name"],
        "launch_index": instance.get("launch_index", 0),
        "availability_zone": instance.get("availability_zone"),
        "project_id": instance["project_id"],
        "meta": dict(instance.get("metadata") or {}),
        "public_keys": keys,
        "keys": [{"name": name, "type": "ssh", "data": data} for name, data in keys.items()],
        "devices": [],
    }


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


def ec2_meta_data(instance: dict[str, Any]) -> dict[str, Any]:
    meta = meta_data(instance)
    return {
        "ami-id": instance.get("image_ref") or "",
        "ami-launch-index": meta["launch_index"],
        "instance-id": "i-%08x" % instance["id"],
        "instance-type": (instance.get("flavor") or {}).get("name", ""),
        "hostname": meta["hostname"],
        "local-hostname": meta["hostname"],
        "placement": {"availability-zone": meta["availability_zone"]},
        "reservation-id": instance.get("reservation_id", ""),
        "public-keys": {str(i): {"openssh-key": data}
                        for i, data in enumerate(meta["public_keys"].values())},
        "security-groups": [],
        "local-ipv4": _first_fixed(instance, 4) or "",
    }


def _first_fixed(instance: dict[str, Any], version: int) -> str | None:
    for vif in instance.get("network_info") or []:
        for subnet in vif["network"]["subnets"]:
            if subnet["version"] == version and subnet["ips"]:
                return str(subnet["ips"][0]["address"])
    return None


def files(instance: dict[str, Any]) -> dict[str, bytes]:
    """Every file of the metadata tree, by path (as on a config drive)."""
    out: dict[str, bytes] = {}
    meta = json.dumps(meta_data(instance)).encode()
    network = json.dumps(network_data(instance)).encode()
    data = user_data(instance)
    for version in OPENSTACK_VERSIONS:
        folder = f"openstack/{version}"
        out[f"{folder}/meta_data.json"] = meta
        out[f"{folder}/network_data.json"] = network
        out[f"{folder}/vendor_data.json"] = b"{}"
        out[f"{folder}/vendor_data2.json"] = b"{}"
        if data is not None:
            out[f"{folder}/user_data"] = data
    ec2 = json.dumps(ec2_meta_data(instance)).encode()
    for version in EC2_VERSIONS:
        out[f"ec2/{version}/meta-data.json"] = ec2
        if data is not None:
            out[f"ec2/{version}/user-data"] = data
    return out
