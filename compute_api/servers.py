"""/servers: create, list, show, update, delete."""
from __future__ import annotations

import base64
import binascii
import datetime
import secrets
from typing import Any

from fastapi import APIRouter, Body, Depends, Response
from oslo_utils import uuidutils

from compute_api import server_view
from compute_api.common import Req, conductor, limit_and_marker, links, page, req
from compute_api.schemas import servers as schemas
from stratus import exception, regex
from stratus.api.validation import to_bool, validate
from stratus.availability_zones import known_zones
from stratus.config import CONF
from stratus.objects import states
from stratus.servicegroup import get_driver

router = APIRouter(prefix="/v2.1/servers")
GiB = 1024 ** 3
MAX_INT = 2 ** 31 - 1
P = "os_compute_api:servers:%s"

# Filters anyone may use; admins may use every filter (Nova's allow_all_filters).
USER_FILTERS = {"name", "status", "image", "flavor", "changes-since", "reservation_id",
                "ip", "ip6", "all_tenants", "marker", "limit", "sort_key", "sort_dir"}


# --- helpers -------------------------------------------------------------------

def owner_filter(r: Req) -> str | None:
    """Project an instance must belong to for this caller; None for admins."""
    return None if r.ctx.is_admin else r.ctx.project_id


def get_instance(r: Req, server_id: str) -> dict[str, Any]:
    return conductor.instance_get(r.ctx, instance_uuid=server_id, project_id=owner_filter(r))


def target(inst: dict[str, Any]) -> dict[str, Any]:
    return {"project_id": inst["project_id"], "user_id": inst["user_id"]}


def host_statuses(r: Req) -> dict[str, str] | None:
    if not r.at_least(16) or not r.can(P % "show:host_status"):
        return None
    group = get_driver()
    result = {}
    for svc in conductor.service_list(r.ctx, binary="stratus-compute"):
        if svc["forced_down"] or not group.is_up(svc):
            result[svc["host"]] = "DOWN"
        elif svc["disabled"]:
            result[svc["host"]] = "MAINTENANCE"
        else:
            result[svc["host"]] = "UP"
    return result


def _flavor_snapshot(flavor: dict[str, Any]) -> dict[str, Any]:
    keys = ("flavorid", "name", "memory_mb", "vcpus", "root_gb", "ephemeral_gb", "swap",
            "rxtx_factor", "extra_specs")
    return {k: flavor[k] for k in keys}


def _resolve_flavor(r: Req, flavor_ref: Any) -> dict[str, Any]:
    ref = str(flavor_ref).rstrip("/").rsplit("/", 1)[-1]
    try:
        return conductor.flavor_get(r.ctx, flavorid=ref, project_id=owner_filter(r))
    except exception.FlavorNotFound:
        raise exception.Invalid(f"Flavor {ref} could not be found.") from None


def resolve_image(r: Req, image_ref: str, flavor: dict[str, Any]) -> dict[str, Any]:
    ref = image_ref.rstrip("/").rsplit("/", 1)[-1]
    try:
        image = conductor.image_get(r.ctx, image_id=ref)
    except exception.ImageNotFound:
        raise exception.Invalid(f"Image {ref} could not be found.") from None
    if image["status"] != "active":
        raise exception.Invalid(f"Image {ref} is not active.")
    if image.get("disk_format") in ("aki", "ari"):
        raise exception.Invalid(f"Image {ref} is a kernel or ramdisk image ({image['disk_format']})"
                                f" and cannot be booted on its own.")
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
    return image


def _check_networks(networks: Any) -> None:
    if isinstance(networks, list) and networks:
        first = networks[0]
        what = first.get("uuid") or first.get("port") or first.get("fixed_ip")
        raise exception.Invalid(f"Network {what} could not be found: this cloud has no "
                                f"networks yet; use networks \"auto\" or \"none\".")


def _check_user_data(user_data: str | None) -> None:
    if user_data is None:
        return
    try:
        base64.b64decode(user_data, validate=True)
    except (binascii.Error, ValueError):
        raise exception.Invalid("User data needs to be valid base 64.") from None


def _count(server: dict[str, Any], key: str, default: int) -> int:
    value = server.get(key, default)
    # The schema allows digit strings; 10 digits are enough for the largest count.
    if isinstance(value, str) and len(value.lstrip("0")) > 10 or int(value) > MAX_INT:
        raise exception.ValidationError(
            reason=f"Invalid input for field/attribute {key}. Value: {value}. "
                   f"{value} is greater than the maximum of {MAX_INT}")
    return int(value)


def _counts(server: dict[str, Any]) -> tuple[int, int]:
    """min_count and max_count, max_count cut to what one request may create."""
    min_count = _count(server, "min_count", 1)
    max_count = _count(server, "max_count", 0) or min_count
    if min_count < 1 or min_count > max_count:
        raise exception.Invalid("min_count must be at least 1 and no more than max_count.")
    cap = CONF.compute_api.max_servers_per_request
    if min_count > cap:
        raise exception.Invalid(f"min_count {min_count} is more than the {cap} servers one "
                                f"request may create.")
    return min_count, min(max_count, cap)


def _create_values(r: Req, server: dict[str, Any], flavor: dict[str, Any],
                   image: dict[str, Any] | None, zone: str | None) -> dict[str, Any]:
    key_data = None
    if server.get("key_name"):
        try:
            key_data = conductor.keypair_get(r.ctx, user_id=r.ctx.user_id,
                                             name=server["key_name"])["public_key"]
        except exception.KeypairNotFound:
            raise exception.Invalid("Invalid key_name provided.") from None
    props = (image or {}).get("properties") or {}
    return {
        "name": server["name"], "project_id": r.ctx.project_id, "user_id": r.ctx.user_id,
        "image_ref": image["id"] if image else "", "flavor": _flavor_snapshot(flavor),
        "key_name": server.get("key_name"), "key_data": key_data,
        "user_data": server.get("user_data"), "metadata_items": server.get("metadata") or {},
        "availability_zone": zone,
        "access_ip_v4": server.get("accessIPv4"), "access_ip_v6": server.get("accessIPv6"),
        "config_drive": "True" if to_bool(server.get("config_drive", False)) else "",
        "description": server.get("description"), "hostname": _hostname(server["name"]),
        "kernel_id": props.get("kernel_id", ""), "ramdisk_id": props.get("ramdisk_id", ""),
        "tags": list(dict.fromkeys(server.get("tags") or [])),
    }


def _hostname(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "-" else "-" for c in name.lower())
    return cleaned.strip("-")[:63] or "server"


def parse_zone(r: Req, value: str | None) -> tuple[str | None, str | None, str | None]:
    """availability_zone as (zone, forced host, forced node): admins may write AZ:HOST,
    AZ::NODE or AZ:HOST:NODE to bypass the filters (not the capacity check)."""
    if value is None:
        return None, None, None
    zone, _, rest = value.partition(":")
    host, _, node = rest.partition(":")
    if host or node:
        r.authorize(P % "create:forced_host")
    if zone and zone not in known_zones(conductor.aggregate_list(r.ctx.elevated())):
        raise exception.Invalid(f"The requested availability zone {zone} is not available.")
    return zone or None, host or None, node or None


def _server_group(r: Req, hints: dict[str, Any]) -> dict[str, Any] | None:
    """The group the `group` hint names, as the scheduler needs it."""
    group_id = hints.get("group")
    if group_id is None:
        return None
    if not isinstance(group_id, str) or not uuidutils.is_uuid_like(group_id):
        raise exception.Invalid(f"Invalid scheduler hint group {group_id!r}: not a UUID.")
    project = None if r.can("os_compute_api:os-server-groups:index:all_projects") \
        else r.ctx.project_id
    try:
        group = conductor.server_group_get(r.ctx, group_uuid=group_id, project_id=project)
    except exception.InstanceGroupNotFound:
        raise exception.Invalid(f"Server group {group_id} could not be found.") from None
    return {"uuid": group["uuid"], "policy": group["policy"], "rules": group["rules"]}


def _is_image_boot(bdm: dict[str, Any], image_ref: str | None) -> bool:
    """The mapping clients send for a plain image boot (the image as local root disk)."""
    return (bdm.get("source_type") == "image" and bdm.get("destination_type", "local")
            == "local" and str(bdm.get("boot_index", 0)) == "0"
            and (not image_ref or bdm.get("uuid") in (None, image_ref)))


def _check_unsupported(server: dict[str, Any]) -> None:
    if server.get("trusted_image_certificates"):
        raise exception.Invalid("Trusted image certificates are not supported: Stratus does "
                                "not verify image signatures.")
    if server.get("personality"):
        raise exception.Invalid("Personality files are not supported; use user_data or "
                                "a config drive.")
    if server.get("block_device_mapping"):
        raise exception.Invalid("Block device mappings are not supported yet: boot from an "
                                "image.")
    for bdm in server.get("block_device_mapping_v2") or []:
        if not _is_image_boot(bdm, server.get("imageRef")):
            raise exception.Invalid("Block device mappings other than the image as the local "
                                    "root disk are not supported yet.")
    for group in server.get("security_groups") or []:
        if group.get("name") not in (None, "default"):
            raise exception.Invalid(f"Security group {group.get('name')} not found.")


# --- handlers ---------------------------------------------------------------------

@router.post("", status_code=202)
def create(response: Response, body: Any = Body(None),
           r: Req = Depends(req)) -> dict[str, Any]:
    validate(body, schemas.create_schema(r.version))
    server = body["server"]
    r.authorize(P % "create", {"project_id": r.ctx.project_id, "user_id": r.ctx.user_id})
    _check_unsupported(server)
    _check_networks(server.get("networks"))
    _check_user_data(server.get("user_data"))
    zone, force_host, force_node = parse_zone(r, server.get("availability_zone"))
    min_count, max_count = _counts(server)
    flavor = _resolve_flavor(r, server["flavorRef"])
    if not server.get("imageRef"):
        boot = [b for b in server.get("block_device_mapping_v2") or [] if b.get("uuid")]
        if not boot:
            raise exception.Invalid("Missing imageRef attribute.")
        server["imageRef"] = boot[0]["uuid"]
    image = resolve_image(r, server["imageRef"], flavor)
    hints = body.get("os:scheduler_hints") or body.get("OS-SCH-HNT:scheduler_hints") or {}
    request_spec = {"flavor": _flavor_snapshot(flavor),
                    "image": {"id": image["id"], "properties": image.get("properties") or {}},
                    "availability_zone": zone, "force_host": force_host,
                    "force_node": force_node,
                    "scheduler_hints": hints, "project_id": r.ctx.project_id,
                    "group": _server_group(r, hints)}
    created = conductor.instances_create(
        r.ctx, base=_create_values(r, server, flavor, image, zone), min_count=min_count,
        max_count=max_count, request_spec=request_spec)
    if to_bool(server.get("return_reservation_id", False)):
        return {"reservation_id": created[0]["reservation_id"]}
    first = created[0]
    response.headers["Location"] = links("servers", first["uuid"])[0]["href"]
    return {"server": {"id": first["uuid"], "links": links("servers", first["uuid"]),
                       "OS-DCF:diskConfig": server.get("OS-DCF:diskConfig", "MANUAL"),
                       "security_groups": [{"name": "default"}],
                       "adminPass": server.get("adminPass") or secrets.token_urlsafe(9)}}


def _list_filters(r: Req) -> dict[str, Any]:
    params = r.query
    if not r.ctx.is_admin:
        unknown = {k for k in params.keys() if k not in USER_FILTERS}
        params = {k: v for k, v in params.items() if k not in unknown}
    filters: dict[str, Any] = {}
    all_tenants = "all_tenants" in params and params["all_tenants"].lower() not in (
        "0", "false", "off", "no")
    if all_tenants:
        r.authorize(P % "index:get_all_tenants")
        for key in ("project_id", "tenant_id"):
            if params.get(key):
                filters["project_id"] = params[key]
    else:
        filters["project_id"] = r.ctx.project_id
    if params.get("status"):
        vm_states = states.vm_states_for_status(params["status"])
        if not vm_states:
            if r.at_least(38):
                raise exception.Invalid(f"Invalid status value: {params['status']}")
            vm_states = ["__none__"]
        if states.DELETED in vm_states:
            filters["deleted"] = True
        filters["vm_state"] = vm_states
    if params.get("name"):
        filters["name"] = regex.check(params["name"])
    if params.get("image"):
        filters["image_ref"] = params["image"].rstrip("/").rsplit("/", 1)[-1]
    if params.get("flavor"):
        filters["flavorid"] = params["flavor"].rstrip("/").rsplit("/", 1)[-1]
    if params.get("changes-since"):
        filters["changes_since"] = _valid_time(params["changes-since"], "changes-since")
    if params.get("reservation_id"):
        filters["reservation_id"] = params["reservation_id"]
    for key in ("host", "node", "user_id", "key_name", "availability_zone"):
        if params.get(key):
            filters[key] = params[key]
    if params.get("deleted"):
        filters["deleted"] = params["deleted"].lower() in ("true", "1", "yes")
    return filters


def _valid_time(value: str, name: str) -> str:
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise exception.Invalid(f"Invalid filter {name} value: {value}") from None
    return parsed.isoformat()


def _list(r: Req, detailed: bool) -> dict[str, Any]:
    r.authorize(P % ("detail" if detailed else "index"))
    limit, marker = limit_and_marker(r)
    sort_key = r.query.get("sort_key", "created_at")
    sort_dir = r.query.get("sort_dir", "desc")
    if sort_dir not in ("asc", "desc"):
        raise exception.Invalid(f"Invalid sort_dir {sort_dir}; use asc or desc.")
    instances = conductor.instance_list(r.ctx, filters=_list_filters(r), sort_key=sort_key,
                                        sort_dir=sort_dir, limit=limit, marker=marker)
    if detailed:
        statuses = host_statuses(r)
        items = [server_view.detail(r, i, statuses) for i in instances]
    else:
        items = [server_view.brief(i) for i in instances]
    return page(r, "servers", items, instances, limit, "uuid")


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    return _list(r, detailed=False)


@router.get("/detail")
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    return _list(r, detailed=True)


@router.get("/{server_id}")
def show(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    inst = get_instance(r, server_id)
    r.authorize(P % "show", target(inst))
    return {"server": server_view.detail(r, inst, host_statuses(r))}


@router.put("/{server_id}")
def update(server_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    validate(body, schemas.update_schema(r.version))
    inst = get_instance(r, server_id)
    r.authorize(P % "update", target(inst))
    changes = body["server"]
    names = {"name": "name", "accessIPv4": "access_ip_v4", "accessIPv6": "access_ip_v6",
             "description": "description"}
    values = {column: changes[key] for key, column in names.items() if key in changes}
    if values:
        inst = conductor.instance_update(r.ctx, instance_uuid=server_id, values=values)
    return {"server": server_view.detail(r, inst, host_statuses(r))}


@router.delete("/{server_id}", status_code=204)
def delete(server_id: str, r: Req = Depends(req)) -> Response:
    inst = get_instance(r, server_id)
    r.authorize(P % "delete", target(inst))
    conductor.instance_delete(r.ctx, instance_uuid=server_id, project_id=owner_filter(r))
    return Response(status_code=204)
