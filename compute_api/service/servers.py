"""Servers: create, list, show, update, delete, behind the /servers handlers."""
from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
from collections.abc import Mapping
from typing import Any

from oslo_utils import netutils, uuidutils

from compute_api.service.clients import conductor
from compute_api.service.hosts import host_statuses
from compute_api.service.security_groups import requested_groups
from stratus import exception, policy, regex
from stratus.api.validation import MAX_INT, to_bool
from stratus.availability_zones import known_zones
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.objects import states
from stratus.objects.request_spec import GroupRef, RequestSpec

SERVER_POLICY = "os_compute_api:servers:%s"
GiB = 1024 ** 3

# Filters anyone may use; admins may use every filter (Nova's allow_all_filters).
USER_FILTERS = {"name", "status", "image", "flavor", "changes-since", "changes-before",
                "reservation_id", "ip", "ip6", "all_tenants", "marker", "limit", "sort_key",
                "sort_dir", "locked", "tags", "tags-any", "not-tags", "not-tags-any"}
# Filters 2.83 opens to everyone.
USER_FILTERS_V283 = {"availability_zone", "config_drive", "key_name", "created_at",
                     "launched_at", "terminated_at", "power_state", "task_state", "vm_state",
                     "progress", "user_id"}
# The query parameters of GET /servers (Nova's index_query; from 2.75 any other is 400).
LIST_PARAMS = {
    "user_id", "project_id", "tenant_id", "launch_index", "image_ref", "image", "kernel_id",
    "ramdisk_id", "hostname", "key_name", "power_state", "vm_state", "task_state", "host",
    "node", "flavor", "reservation_id", "launched_at", "terminated_at", "availability_zone",
    "name", "display_name", "description", "display_description", "locked_by", "uuid",
    "root_device_name", "config_drive", "access_ip_v4", "access_ip_v6", "auto_disk_config",
    "progress", "sort_key", "sort_dir", "all_tenants", "soft_deleted", "deleted", "status",
    "changes-since", "ip", "ip6", "created_at", "block_device_mapping", "services",
    "metadata", "system_metadata", "info_cache", "security_groups", "pci_devices", "limit",
    "marker", "tags", "tags-any", "not-tags", "not-tags-any", "changes-before", "locked"}
# Sort keys Nova ignores (sorting by created_at) before 2.75 and refuses from 2.75.
IGNORED_SORT_KEYS = {
    "architecture", "cell_name", "cleaned", "default_ephemeral_device",
    "default_swap_device", "deleted", "deleted_at", "disable_terminate", "ephemeral_gb",
    "ephemeral_key_uuid", "id", "key_data", "launched_on", "memory_mb", "os_type",
    "reservation_id", "root_gb", "shutdown_terminate", "user_data", "vcpus", "vm_mode"}
SORT_KEYS = {
    "access_ip_v4", "access_ip_v6", "auto_disk_config", "availability_zone", "config_drive",
    "created_at", "display_description", "display_name", "host", "hostname", "image_ref",
    "instance_type_id", "kernel_id", "key_name", "launch_index", "launched_at", "locked_by",
    "node", "power_state", "progress", "project_id", "ramdisk_id", "root_device_name",
    "task_state", "terminated_at", "updated_at", "user_id", "uuid", "vm_state"}
FLAVOR_KEYS = ("flavorid", "name", "memory_mb", "vcpus", "root_gb", "ephemeral_gb", "swap",
               "rxtx_factor", "extra_specs")
UPDATABLE = {"name": "name", "accessIPv4": "access_ip_v4", "accessIPv6": "access_ip_v6",
             "description": "description", "hostname": "hostname"}


def canonical_ipv6(value: str | None) -> str | None:
    """An IPv6 access address as Nova stores it: the canonical short form
    ("0:0:0:0:0:babe:220.12.22.2" is "::babe:dc0c:1602"); the schema has checked it."""
    return str(ipaddress.IPv6Address(value)) if value else value


# --- lookups ---------------------------------------------------------------------

def owner_filter(ctx: RequestContext) -> str | None:
    """Project an instance must belong to for this caller; None for admins."""
    return None if ctx.is_admin else ctx.project_id


def target(inst: dict[str, Any]) -> dict[str, Any]:
    return {"project_id": inst["project_id"], "user_id": inst["user_id"]}


def get_server(ctx: RequestContext, server_id: str) -> dict[str, Any]:
    return conductor.instance_get(ctx, instance_uuid=server_id, project_id=owner_filter(ctx))


def last_segment(ref: Any) -> str:
    """The id at the end of a reference that may be a link."""
    return str(ref).rstrip("/").rsplit("/", 1)[-1]


def flavor_snapshot(flavor: dict[str, Any]) -> dict[str, Any]:
    return {k: flavor[k] for k in FLAVOR_KEYS}


def resolve_flavor(ctx: RequestContext, flavor_ref: Any) -> dict[str, Any]:
    ref = last_segment(flavor_ref)
    try:
        return conductor.flavor_get(ctx, flavorid=ref, project_id=owner_filter(ctx))
    except exception.FlavorNotFound:
        raise exception.Invalid(f"Flavor {ref} could not be found.") from None


def check_image_fits_flavor(ref: str, image: dict[str, Any], flavor: dict[str, Any]) -> None:
    """The image can boot on its own, and within the flavor's disk and memory."""
    if image["status"] != "active":
        raise exception.Invalid(f"Image {ref} is not active.")
    if image.get("disk_format") in ("aki", "ari"):
        raise exception.Invalid(f"Image {ref} is a kernel or ramdisk image "
                                f"({image['disk_format']}) and cannot be booted on its own.")
    root_bytes = flavor["root_gb"] * GiB
    if flavor["root_gb"] and (image.get("size") or 0) > root_bytes:
        raise exception.Invalid(
            f"Flavor's disk is too small for requested image. Flavor disk is {root_bytes} "
            f"bytes, image is {image['size']} bytes.")
    if flavor["root_gb"] and (image.get("min_disk") or 0) > flavor["root_gb"]:
        raise exception.Invalid(
            f"Flavor's disk is too small for requested image. Flavor disk is "
            f"{flavor['root_gb']} GB, the image needs at least {image['min_disk']} GB.")
    if (image.get("min_ram") or 0) > flavor["memory_mb"]:
        raise exception.Invalid(
            f"Flavor's memory is too small for requested image. Flavor has "
            f"{flavor['memory_mb']} MB, the image needs at least {image['min_ram']} MB.")


def resolve_image(ctx: RequestContext, image_ref: str, flavor: dict[str, Any]) -> dict[str, Any]:
    ref = last_segment(image_ref)
    try:
        image = conductor.image_get(ctx, image_id=ref)
    except exception.ImageNotFound:
        raise exception.Invalid(f"Image {ref} could not be found.") from None
    check_image_fits_flavor(ref, image, flavor)
    return image


def key_pair(ctx: RequestContext, name: str) -> dict[str, Any]:
    """The caller's key pair `name`."""
    try:
        return conductor.keypair_get(ctx, user_id=ctx.user_id, name=name)
    except exception.KeypairNotFound:
        raise exception.Invalid("Invalid key_name provided.") from None


# --- checks of a request -----------------------------------------------------------

def check_user_data(user_data: str | None) -> None:
    if user_data is None:
        return
    try:
        base64.b64decode(user_data, validate=True)
    except (binascii.Error, ValueError):
        raise exception.Invalid("User data needs to be valid base 64.") from None


def refuse_trusted_certificates(certificates: Any) -> None:
    # 2.63: null (or an empty list) is accepted, certificates are not.
    if certificates:
        raise exception.Invalid("Trusted image certificates are not supported: Stratus does "
                                "not verify image signatures.")


def requested_networks(networks: Any, max_count: int) -> list[dict[str, Any]] | str | None:
    """What a create asks of networks: "auto", "none", None (not said: as auto), or the
    networks in NIC order, each {"uuid", "fixed_ip"}; Invalid for what cannot be."""
    if not isinstance(networks, list):
        return networks
    found: list[dict[str, Any]] = []
    for item in networks:
        if item.get("port"):
            raise exception.Invalid(f"Port {item['port']} could not be found: this cloud's "
                                    f"networks are given by network uuid.")
        uuid = item.get("uuid")
        if not uuid or not uuidutils.is_uuid_like(uuid):
            raise exception.Invalid(f"Bad networks format: network uuid is not in proper "
                                    f"format ({uuid})")
        fixed_ip = item.get("fixed_ip")
        if fixed_ip is not None and not netutils.is_valid_ip(fixed_ip):
            raise exception.Invalid(f"Invalid fixed IP address ({fixed_ip})")
        if fixed_ip and max_count > 1:
            raise exception.Invalid("max_count cannot be greater than 1 if an fixed_ip is "
                                    "specified.")
        if any(f["uuid"] == uuid for f in found):
            raise exception.Invalid(f"Duplicate networks ({uuid}) are not allowed")
        found.append({"uuid": uuid, "fixed_ip": fixed_ip})
    return found or None


def is_image_boot(bdm: dict[str, Any], image_ref: str | None) -> bool:
    """The mapping clients send for a plain image boot (the image as local root disk)."""
    return (bdm.get("source_type") == "image" and bdm.get("destination_type", "local")
            == "local" and str(bdm.get("boot_index", 0)) == "0"
            and (not image_ref or bdm.get("uuid") in (None, image_ref)))


def check_unsupported(server: dict[str, Any]) -> None:
    refuse_trusted_certificates(server.get("trusted_image_certificates"))
    if server.get("personality"):
        raise exception.Invalid("Personality files are not supported; use user_data or "
                                "a config drive.")
    if server.get("block_device_mapping"):
        raise exception.Invalid("Block device mappings are not supported yet: boot from an "
                                "image.")
    for bdm in server.get("block_device_mapping_v2") or []:
        if not is_image_boot(bdm, server.get("imageRef")):
            raise exception.Invalid("Block device mappings other than the image as the local "
                                    "root disk are not supported yet.")


def counts(server: dict[str, Any]) -> tuple[int, int]:
    """min_count and max_count, max_count cut to what one request may create."""
    min_count = int(server.get("min_count", 1))  # the schema bounds digit strings too
    max_count = int(server.get("max_count", 0)) or min_count
    if min_count < 1 or min_count > max_count:
        raise exception.Invalid("min_count must be at least 1 and no more than max_count.")
    cap = CONF.compute_api.max_servers_per_request
    if min_count > cap:
        raise exception.Invalid(f"min_count {min_count} is more than the {cap} servers one "
                                f"request may create.")
    return min_count, min(max_count, cap)


def split_zone(value: str | None) -> tuple[str | None, str | None, str | None]:
    """availability_zone as (zone, host, node): AZ, AZ:HOST, AZ::NODE or AZ:HOST:NODE."""
    if value is None:
        return None, None, None
    zone, _, rest = value.partition(":")
    host, _, node = rest.partition(":")
    return zone or None, host or None, node or None


def parse_zone(ctx: RequestContext,
               value: str | None) -> tuple[str | None, str | None, str | None]:
    """The zone and forced host and node; only admins may force a host or node, which
    bypasses the filters (not the capacity check)."""
    zone, host, node = split_zone(value)
    if host or node:
        policy.authorize(ctx, SERVER_POLICY % "create:forced_host")
    if zone:
        check_zone(ctx, zone)
    return zone, host, node


def check_zone(ctx: RequestContext, zone: str) -> None:
    """400 unless an aggregate defines `zone` (or it is the default zone)."""
    if zone not in known_zones(conductor.aggregate_list(ctx.elevated())):
        raise exception.Invalid(f"The requested availability zone {zone} is not available.")


def boot_image_ref(server: dict[str, Any]) -> str:
    """imageRef, or the image of the block device mappings."""
    if server.get("imageRef"):
        return server["imageRef"]
    boot = [b for b in server.get("block_device_mapping_v2") or [] if b.get("uuid")]
    if not boot:
        raise exception.Invalid("Missing imageRef attribute.")
    return boot[0]["uuid"]


def server_group(ctx: RequestContext, hints: dict[str, Any]) -> GroupRef | None:
    """The group the `group` hint names, as the scheduler needs it."""
    group_id = hints.get("group")
    if group_id is None:
        return None
    if not isinstance(group_id, str) or not uuidutils.is_uuid_like(group_id):
        raise exception.Invalid(f"Invalid scheduler hint group {group_id!r}: not a UUID.")
    all_projects = policy.check(ctx, "os_compute_api:os-server-groups:index:all_projects")
    try:
        group = conductor.server_group_get(ctx, group_uuid=group_id,
                                           project_id=None if all_projects else ctx.project_id)
    except exception.InstanceGroupNotFound:
        raise exception.Invalid(f"Server group {group_id} could not be found.") from None
    return GroupRef(uuid=group["uuid"], policy=group["policy"], rules=group["rules"] or {})


# --- create ----------------------------------------------------------------------------

def hostname(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "-" else "-" for c in name.lower())
    return cleaned.strip("-")[:63] or "server"


def create_values(ctx: RequestContext, server: dict[str, Any], flavor: dict[str, Any],
                  image: dict[str, Any] | None, zone: str | None) -> dict[str, Any]:
    """The instance row every server of the request starts from."""
    key_data = key_pair(ctx, server["key_name"])["public_key"] if server.get("key_name") \
        else None
    props = (image or {}).get("properties") or {}
    return {
        "name": server["name"], "project_id": ctx.project_id, "user_id": ctx.user_id,
        "image_ref": image["id"] if image else "", "flavor": flavor_snapshot(flavor),
        "key_name": server.get("key_name"), "key_data": key_data,
        "user_data": server.get("user_data"), "metadata_items": server.get("metadata") or {},
        "availability_zone": zone,
        "access_ip_v4": server.get("accessIPv4"),
        "access_ip_v6": canonical_ipv6(server.get("accessIPv6")),
        "config_drive": "True" if to_bool(server.get("config_drive", False)) else "",
        "description": server.get("description"),
        "hostname": server.get("hostname") or hostname(server["name"]),
        "kernel_id": props.get("kernel_id", ""), "ramdisk_id": props.get("ramdisk_id", ""),
        "tags": list(dict.fromkeys(server.get("tags") or [])),
    }


def request_spec(ctx: RequestContext, flavor: dict[str, Any], image: dict[str, Any],
                 placement: tuple[str | None, str | None, str | None],
                 hints: dict[str, Any]) -> RequestSpec:
    """What the scheduler needs; `placement` is (zone, forced host, forced node)."""
    zone, force_host, force_node = placement
    return RequestSpec(
        flavor=flavor_snapshot(flavor),
        image={"id": image["id"], "properties": image.get("properties") or {}},
        availability_zone=zone, force_host=force_host, force_node=force_node,
        scheduler_hints=hints, project_id=ctx.project_id, group=server_group(ctx, hints))


def requested_destination(ctx: RequestContext, server: dict[str, Any],
                          placement: tuple[str | None, str | None, str | None]
                          ) -> dict[str, str | None]:
    """2.74 `host` and `hypervisor_hostname` (admins): candidates that must still pass
    the filters; not with a forced AZ:HOST:NODE, and each must be a compute host."""
    host, node = server.get("host"), server.get("hypervisor_hostname")
    if not host and not node:
        return {}
    policy.authorize(ctx, "compute:servers:create:requested_destination")
    if placement[1] or placement[2]:
        raise exception.Invalid("One mechanism with host and/or hypervisor_hostname and "
                                "another mechanism with zone:host:node are mutually "
                                "exclusive.")
    nodes = [n for n in conductor.host_states(ctx.elevated())
             if (not host or n["host"] == host)
             and (not node or n["hypervisor_hostname"] == node)]
    if not nodes:
        raise exception.Invalid(exception.ComputeHostNotFound(host=node or host).message)
    return {"requested_host": host, "requested_node": node}


def create_servers(ctx: RequestContext, server: dict[str, Any],
                   hints: dict[str, Any]) -> list[dict[str, Any]]:
    """Check a (validated) create request and create its servers; returns their rows."""
    check_unsupported(server)
    check_user_data(server.get("user_data"))
    placement = parse_zone(ctx, server.get("availability_zone"))
    min_count, max_count = counts(server)
    if server.get("hostname") and max_count > 1:
        raise exception.Invalid("Unable to allocate a single hostname to multiple "
                                "instances")
    flavor = resolve_flavor(ctx, server["flavorRef"])
    image = resolve_image(ctx, boot_image_ref(server), flavor)
    spec = request_spec(ctx, flavor, image, placement, hints).model_copy(
        update={**requested_destination(ctx, server, placement),
                "requested_networks": requested_networks(server.get("networks"),
                                                         max_count),
                "security_groups": requested_groups(server)})
    return conductor.instances_create(
        ctx, base=create_values(ctx, server, flavor, image, placement[0]),
        min_count=min_count, max_count=max_count, request_spec=spec)


# --- list, show, update, delete ------------------------------------------------------

def valid_time(value: str, name: str) -> str:
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise exception.Invalid(f"Invalid filter {name} value: {value}") from None
    return parsed.isoformat()


def status_filters(status: str, version: tuple[int, int]) -> dict[str, Any]:
    vm_states = states.vm_states_for_status(status)
    if not vm_states:
        if version >= (2, 38):
            raise exception.Invalid(f"Invalid status value: {status}")
        vm_states = ["__none__"]
    filters: dict[str, Any] = {"vm_state": vm_states}
    if states.DELETED in vm_states:
        filters["deleted"] = True
    return filters


def project_filters(ctx: RequestContext, params: Mapping[str, str]) -> dict[str, Any]:
    all_tenants = "all_tenants" in params and params["all_tenants"].lower() not in (
        "0", "false", "off", "no")
    if not all_tenants:
        return {"project_id": ctx.project_id}
    policy.authorize(ctx, SERVER_POLICY % "index:get_all_tenants")
    filters = {}
    for key in ("project_id", "tenant_id"):
        if params.get(key):
            filters["project_id"] = params[key]
    return filters


def _check_list_params(version: tuple[int, int], params: Mapping[str, str]) -> None:
    """From 2.75 unknown query parameters and ignored sort keys are refused (400)."""
    if version < (2, 75):
        return
    unknown = sorted(set(params) - LIST_PARAMS)
    if unknown:
        raise exception.ValidationError(
            reason=f"Invalid input for query parameters: additional properties are not "
                   f"allowed ({', '.join(unknown)} unexpected)")
    sort_key = params.get("sort_key")
    if sort_key is not None and sort_key not in SORT_KEYS | {"locked"}:
        raise exception.ValidationError(
            reason=f"Invalid input for query parameters sort_key. Value: {sort_key}. "
                   f"'{sort_key}' is not one of the sort keys")


def _time_window(version: tuple[int, int], params: Mapping[str, str]) -> dict[str, Any]:
    """changes-since, and from 2.66 changes-before (not before changes-since)."""
    filters: dict[str, Any] = {}
    if params.get("changes-since"):
        filters["changes_since"] = valid_time(params["changes-since"], "changes-since")
    if version >= (2, 66) and params.get("changes-before"):
        filters["changes_before"] = valid_time(params["changes-before"], "changes-before")
        since = filters.get("changes_since")
        if since and _utc(filters["changes_before"]) < _utc(since):
            raise exception.Invalid("The value of changes-since must be less than or equal "
                                    "to changes-before.")
    return filters


def _state_filters(params: Mapping[str, str]) -> dict[str, Any]:
    """vm_state, power_state, progress and the exact times."""
    filters: dict[str, Any] = {}
    if params.get("vm_state"):
        filters["vm_state"] = [params["vm_state"]]
    for key in ("power_state", "progress"):
        if params.get(key):
            raw = params[key]
            if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_INT:
                raise exception.Invalid(f"Invalid filter {key} value: {raw[:64]}")
            filters[key] = int(raw)
    for key in ("created_at", "launched_at", "terminated_at"):
        if params.get(key):
            filters[key] = valid_time(params[key], key)
    return filters


def _utc(value: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def _locked_filter(value: str) -> bool:
    """2.73 `locked`: true or false (strictly, as Nova's bool_from_string)."""
    if value.lower() in ("1", "t", "true", "on", "y", "yes"):
        return True
    if value.lower() in ("0", "f", "false", "off", "n", "no"):
        return False
    raise exception.Invalid(f"Unrecognized value '{value}', acceptable values are: '0', "
                            f"'1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', "
                            f"'yes'")


def list_filters(ctx: RequestContext, version: tuple[int, int],
                 params: Mapping[str, str]) -> dict[str, Any]:
    """The instance_list filters of a list request's query parameters."""
    _check_list_params(version, params)
    if not ctx.is_admin:
        allowed = USER_FILTERS | (USER_FILTERS_V283 if version >= (2, 83) else set())
        params = {k: v for k, v in params.items() if k in allowed}
    filters = project_filters(ctx, params)
    if params.get("status"):
        filters.update(status_filters(params["status"], version))
    if params.get("name"):
        filters["name"] = regex.check(params["name"])
    if params.get("image"):
        filters["image_ref"] = last_segment(params["image"])
    if params.get("flavor"):
        filters["flavorid"] = last_segment(params["flavor"])
    filters.update(_time_window(version, params))
    if version >= (2, 73) and params.get("locked"):
        filters["locked"] = _locked_filter(params["locked"])
    if version >= (2, 26):
        for key in ("tags", "tags-any", "not-tags", "not-tags-any"):
            if params.get(key):
                filters[key.replace("-", "_")] = params[key].split(",")
    for key in ("reservation_id", "host", "node", "user_id", "key_name", "availability_zone",
                "task_state", "config_drive"):
        if params.get(key):
            filters[key] = params[key]
    for key, value in _state_filters(params).items():
        if key == "vm_state" and "vm_state" in filters:  # with a status filter: both hold
            value = [v for v in value if v in filters["vm_state"]] or ["__none__"]
        filters[key] = value
    if params.get("deleted"):
        filters["deleted"] = params["deleted"].lower() in ("true", "1", "yes")
    return filters


def list_servers(ctx: RequestContext, version: tuple[int, int], params: Mapping[str, str],
                 limit: int, marker: str | None, detailed: bool) -> dict[str, Any]:
    """{"servers": rows, "host_statuses": ...} for a list request (statuses if detailed)."""
    sort_key = params.get("sort_key", "created_at")
    sort_dir = params.get("sort_dir", "desc")
    if sort_dir not in ("asc", "desc"):
        raise exception.Invalid(f"Invalid sort_dir {sort_dir}; use asc or desc.")
    rows = conductor.instance_list(ctx, filters=list_filters(ctx, version, params),
                                   sort_key=sort_key, sort_dir=sort_dir, limit=limit,
                                   marker=marker)
    return {"servers": rows,
            "host_statuses": host_statuses(ctx, version) if detailed else None}


def server_groups_of(ctx: RequestContext, version: tuple[int, int],
                     inst: dict[str, Any]) -> list[str] | None:
    """2.71: the groups of the server, for show, update and rebuild."""
    if version < (2, 71):
        return None
    return list(conductor.instance_server_groups(ctx, instance_uuid=inst["uuid"]))


def show_server(ctx: RequestContext, version: tuple[int, int],
                inst: dict[str, Any]) -> dict[str, Any]:
    """{"server": inst, "host_statuses": ..., "server_groups": ...}: what the detail view
    needs."""
    return {"server": inst, "host_statuses": host_statuses(ctx, version),
            "server_groups": server_groups_of(ctx, version, inst)}


def update_server(ctx: RequestContext, version: tuple[int, int], inst: dict[str, Any],
                  changes: dict[str, Any]) -> dict[str, Any]:
    """Change name, access IPs, description; returns what the detail view needs."""
    values = {column: changes[key] for key, column in UPDATABLE.items() if key in changes}
    if "access_ip_v6" in values:
        values["access_ip_v6"] = canonical_ipv6(values["access_ip_v6"])
    if "pinned_availability_zone" in changes:  # 2.104
        inst = conductor.instance_pin_zone(ctx, instance_uuid=inst["uuid"],
                                           zone=changes["pinned_availability_zone"],
                                           project_id=owner_filter(ctx))
    if values:
        inst = conductor.instance_update(ctx, instance_uuid=inst["uuid"], values=values)
    return show_server(ctx, version, inst)


def delete_server(ctx: RequestContext, server_id: str) -> None:
    conductor.instance_delete(ctx, instance_uuid=server_id, project_id=owner_filter(ctx))
