"""The JSON shape of a server, per microversion (Nova's servers view)."""
from __future__ import annotations

import hashlib
from typing import Any

from compute_api.common import Req, base_url, iso, links
from stratus import image_properties
from stratus.objects import states

EXT = "os_compute_api:os-extended-server-attributes"


def host_id(project_id: str, host: str | None) -> str:
    if not host:
        return ""
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def _usage_time(value: str | None) -> str | None:
    return value + ".000000" if value else None


def _flavor(r: Req, inst: dict[str, Any]) -> dict[str, Any]:
    flavor = inst["flavor"]
    if not r.at_least(47):
        return {"id": flavor["flavorid"],
                "links": [{"rel": "bookmark",
                           "href": f"{base_url()}/flavors/{flavor['flavorid']}"}]}
    out = {"vcpus": flavor["vcpus"], "ram": flavor["memory_mb"], "disk": flavor["root_gb"],
           "ephemeral": flavor["ephemeral_gb"], "swap": flavor["swap"],
           "original_name": flavor["name"]}
    if r.can("os_compute_api:os-flavor-extra-specs:index",
             {"project_id": inst["project_id"]}):
        out["extra_specs"] = dict(flavor.get("extra_specs") or {})
    return out


def _image(r: Req, inst: dict[str, Any]) -> dict[str, Any] | str:
    if not inst["image_ref"]:
        return ""
    image: dict[str, Any] = {
        "id": inst["image_ref"],
        "links": [{"rel": "bookmark", "href": f"{base_url()}/images/{inst['image_ref']}"}]}
    if r.at_least(98):
        image["properties"] = image_properties.understood(inst["image_properties"])
    return image


def _fault(r: Req, inst: dict[str, Any]) -> dict[str, Any] | None:
    fault = inst.get("fault")
    if not fault or inst["vm_state"] not in (states.ERROR, states.DELETED):
        return None
    out = {"code": fault["code"], "created": iso(fault["created"]),
           "message": fault["message"]}
    if fault["details"] and (r.ctx.is_admin or fault["code"] != 500):
        out["details"] = fault["details"]
    return out


# Statuses whose view carries a progress figure (as Nova's).
_PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")


def addresses(network_info: list[dict[str, Any]] | None) -> dict[str, list[dict[str, Any]]]:
    """A server's `addresses`: per network label its fixed (and floating) addresses, in
    NIC order, with the NIC's MAC."""
    found: dict[str, list[dict[str, Any]]] = {}
    for vif in network_info or []:
        items = found.setdefault(vif["network"]["label"], [])
        for subnet in vif["network"]["subnets"]:
            for ip in subnet["ips"]:
                for address, kind in [(ip["address"], "fixed"),
                                      *((f, "floating") for f in ip.get("floating_ips", []))]:
                    items.append({"version": ip["version"] if kind == "fixed" else 4,
                                  "addr": address, "OS-EXT-IPS:type": kind,
                                  "OS-EXT-IPS-MAC:mac_addr": vif["address"]})
    return found


def plain_addresses(addresses: dict[str, list[dict[str, Any]]]
                    ) -> dict[str, list[dict[str, Any]]]:
    """Addresses without their extended attributes (type and MAC): as /ips shows them
    and updates and rebuilds return them before 2.75."""
    return {label: [{"version": a["version"], "addr": a["addr"]} for a in items]
            for label, items in addresses.items()}


def brief(inst: dict[str, Any]) -> dict[str, Any]:
    return {"id": inst["uuid"], "name": inst["name"], "links": links("servers", inst["uuid"])}


def detail(r: Req, inst: dict[str, Any], host_status: dict[str, str] | None = None,
           server_groups: list[str] | None = None) -> dict[str, Any]:
    status = states.api_status(inst["vm_state"], inst["task_state"])
    body: dict[str, Any] = {
        **brief(inst),
        "status": status,
        "tenant_id": inst["project_id"],
        "user_id": inst["user_id"],
        "metadata": inst["metadata"],
        "hostId": host_id(inst["project_id"], inst["host"]),
        "image": _image(r, inst),
        "flavor": _flavor(r, inst),
        "created": iso(inst["created_at"]),
        "updated": iso(inst["updated_at"]),
        "addresses": addresses(inst.get("network_info")),
        "accessIPv4": inst["access_ip_v4"] or "",
        "accessIPv6": inst["access_ip_v6"] or "",
        "OS-DCF:diskConfig": "MANUAL",
        "OS-EXT-AZ:availability_zone": inst["availability_zone"] or "",
        "config_drive": inst["config_drive"] or "",
        "key_name": inst["key_name"],
        "OS-SRV-USG:launched_at": _usage_time(inst["launched_at"]),
        "OS-SRV-USG:terminated_at": _usage_time(inst["terminated_at"]),
        "OS-EXT-STS:task_state": inst["task_state"],
        "OS-EXT-STS:vm_state": inst["vm_state"],
        "OS-EXT-STS:power_state": inst["power_state"],
        "os-extended-volumes:volumes_attached": [],
    }
    if inst.get("security_groups"):
        # nova-network's groups, by name, when the server has any (as Nova).
        body["security_groups"] = [{"name": n} for n in inst["security_groups"]]
    if status in _PROGRESS_STATUSES:
        body["progress"] = 100 if status == "ACTIVE" else 0
    target = {"project_id": inst["project_id"]}
    if r.can(EXT, target):
        body.update({"OS-EXT-SRV-ATTR:host": inst["host"],
                     "OS-EXT-SRV-ATTR:hypervisor_hostname": inst["node"],
                     "OS-EXT-SRV-ATTR:instance_name": "instance-%08x" % inst["id"]})
        if r.at_least(3):
            body.update({"OS-EXT-SRV-ATTR:reservation_id": inst["reservation_id"],
                         "OS-EXT-SRV-ATTR:launch_index": inst["launch_index"],
                         "OS-EXT-SRV-ATTR:hostname": inst["hostname"],
                         "OS-EXT-SRV-ATTR:kernel_id": inst["kernel_id"],
                         "OS-EXT-SRV-ATTR:ramdisk_id": inst["ramdisk_id"],
                         "OS-EXT-SRV-ATTR:root_device_name": inst["root_device_name"],
                         "OS-EXT-SRV-ATTR:user_data": inst["user_data"]})
    if r.at_least(90) and "OS-EXT-SRV-ATTR:hostname" not in body:
        body["OS-EXT-SRV-ATTR:hostname"] = inst["hostname"]  # to every user from 2.90
    if r.at_least(9):
        body["locked"] = bool(inst["locked"])
    if r.at_least(16) and host_status is not None:
        body["host_status"] = host_status.get(inst["host"] or "", "")
    if r.at_least(19):
        body["description"] = inst["description"]
    if r.at_least(26):
        body["tags"] = list(inst["tags"] or [])
    if r.at_least(63):
        body["trusted_image_certificates"] = None  # never accepted; see servers.create
    if r.at_least(71) and server_groups is not None:
        body["server_groups"] = server_groups
    if r.at_least(73):
        body["locked_reason"] = inst["locked_reason"]
    if r.at_least(96):
        body["pinned_availability_zone"] = inst["pinned_availability_zone"]
    if r.at_least(100):
        body["scheduler_hints"] = inst["scheduler_hints"] or {}
    fault = _fault(r, inst)
    if fault is not None:
        body["fault"] = fault
    return body


# Keys a server's full view has that PUT /servers/{id} and rebuild left out until 2.75
# (Nova's show() with the extended attributes turned off).
_SHOW_ONLY = ("OS-EXT-AZ:", "OS-EXT-SRV-ATTR:", "OS-EXT-STS:", "OS-SRV-USG:",
              "os-extended-volumes:", "config_drive", "key_name", "host_status",
              "security_groups")


def updated(r: Req, inst: dict[str, Any], host_status: dict[str, str] | None = None,
            rebuilt: bool = False, server_groups: list[str] | None = None) -> dict[str, Any]:
    """The server as an update or a rebuild returns it; from 2.75 the full view (but a
    rebuild's user data is `user_data`, which the handler adds)."""
    body = detail(r, inst, host_status, server_groups)
    if r.at_least(75):
        if rebuilt:
            body.pop("OS-EXT-SRV-ATTR:user_data", None)
        return body
    keep_key_name = rebuilt and r.at_least(54)
    body["addresses"] = plain_addresses(body["addresses"])  # no OS-EXT-IPS* either
    return {k: v for k, v in body.items()
            if not k.startswith(_SHOW_ONLY) or (k == "key_name" and keep_key_name)}
