"""Schemas of POST /servers and PUT /servers/{id}: one per microversion range, declared
once at import (compute_api/servers.py binds each to its range with @validation.schema)."""
from __future__ import annotations

import copy
from typing import Any

from stratus.api.validation import MAX_INT, boolean, description, metadata, name

ip_v4 = {"type": "string", "format": "ipv4"}
ip_v6 = {"type": "string", "format": "ipv6"}
network_list = {
    "type": "array",
    "items": {"type": "object", "properties": {
        "uuid": {"type": "string"}, "port": {"type": ["string", "null"]},
        "fixed_ip": {"type": "string"}, "tag": {"type": "string", "maxLength": 60}},
        "additionalProperties": False},
}

tag = {"type": "string", "minLength": 1, "maxLength": 60, "pattern": "^[^,/]*$"}

_uuid = {"type": "string", "format": "uuid"}
_size = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0,
         "maximum": MAX_INT}
_column = {"type": "string", "maxLength": 255}

# The fields of a legacy (v1) mapping; every entry is an object of these alone.
_legacy_bdm_fields: dict[str, Any] = {
    "virtual_name": _column,
    "volume_id": _uuid,
    "snapshot_id": _uuid,
    "volume_size": _size,
    "device_name": {"type": "string", "minLength": 1, "maxLength": 255,
                    "pattern": "^[a-zA-Z0-9._/-]*$"},
    "delete_on_termination": boolean,
    "no_device": {},
    "connection_info": {"type": "string", "maxLength": 16777215},
}
legacy_bdm = {"type": "object", "properties": _legacy_bdm_fields,
              "additionalProperties": False}

# A v2 mapping: the legacy fields plus the source/destination form.
bdm_v2: dict[str, Any] = {
    "type": "object",
    "properties": {
        **_legacy_bdm_fields,
        "source_type": {"type": "string", "enum": ["volume", "image", "snapshot", "blank"]},
        "destination_type": {"type": "string", "enum": ["local", "volume"]},
        "uuid": {"type": "string", "minLength": 1, "maxLength": 255,
                 "pattern": "^[a-zA-Z0-9._-]*$"},
        "image_id": _uuid,
        "guest_format": _column,
        "device_type": _column,
        "disk_bus": _column,
        "boot_index": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$",
                       "minimum": -MAX_INT, "maximum": MAX_INT},
    },
    "additionalProperties": False,
}

_server_create: dict[str, Any] = {
    "type": "object",
    "properties": {
        "server": {
            "type": "object",
            "properties": {
                "name": name,
                "imageRef": {"type": "string", "maxLength": 255},
                "flavorRef": {"type": ["string", "integer"], "minLength": 1},
                "adminPass": {"type": "string"},
                "metadata": metadata,
                "networks": network_list,
                "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
                "accessIPv4": ip_v4,
                "accessIPv6": ip_v6,
                "key_name": {"type": "string", "minLength": 1, "maxLength": 255},
                "user_data": {"type": "string", "maxLength": 65535},
                "availability_zone": {"type": "string", "minLength": 1, "maxLength": 255},
                "block_device_mapping": {"type": "array", "items": legacy_bdm},
                "block_device_mapping_v2": {"type": "array", "items": bdm_v2},
                "min_count": {"type": ["integer", "string"], "pattern": "^[0-9]+$",
                              "minimum": 1, "maximum": MAX_INT},
                "max_count": {"type": ["integer", "string"], "pattern": "^[0-9]+$",
                              "minimum": 1, "maximum": MAX_INT},
                "return_reservation_id": boolean,
                "security_groups": {"type": "array", "items": {
                    "type": "object", "properties": {"name": {"type": "string"}},
                    "additionalProperties": False}},
                "config_drive": boolean,
                "personality": {"type": "array"},
            },
            "required": ["name", "flavorRef"],
            "additionalProperties": False,
        },
        "os:scheduler_hints": {"type": "object"},
        "OS-SCH-HNT:scheduler_hints": {"type": "object"},
    },
    "required": ["server"],
    "additionalProperties": False,
}


# 2.90: a hostname the user picks (RFC 952 labels; an FQDN only from 2.94).
HOSTNAME = {"type": "string", "pattern": "^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$",
            "minLength": 2, "maxLength": 63}
# 2.94: a fully qualified domain name too.
FQDN = {"type": "string", "pattern": "^[a-zA-Z0-9-._]*$", "minLength": 1, "maxLength": 255}


def _create(version: tuple[int, int]) -> dict[str, Any]:
    """The create body as of `version`; each change below is one microversion's."""
    schema = copy.deepcopy(_server_create)
    server = schema["properties"]["server"]
    if version >= (2, 19):
        server["properties"]["description"] = description
    if version == (2, 32) or version >= (2, 42):
        # Device tags: 2.32, then (dropped with network tags in 2.33) again from 2.42.
        items = server["properties"]["block_device_mapping_v2"]["items"]
        items["properties"]["tag"] = tag
    if version >= (2, 37):
        server["properties"]["networks"] = {"oneOf": [
            network_list, {"type": "string", "enum": ["auto", "none"]}]}
        server["required"].append("networks")
    if version >= (2, 52):
        server["properties"]["tags"] = {"type": "array", "maxItems": 50, "items": tag}
    if version >= (2, 57):
        del server["properties"]["personality"]
    if version >= (2, 63):
        server["properties"]["trusted_image_certificates"] = {
            "type": ["array", "null"], "minItems": 1, "maxItems": 50, "uniqueItems": True,
            "items": {"type": "string", "minLength": 1}}
    if version >= (2, 67):
        # A volume type for a volume the mapping creates (refused later: no volumes yet).
        items = server["properties"]["block_device_mapping_v2"]["items"]
        items["properties"]["volume_type"] = {"type": ["string", "null"], "minLength": 0,
                                              "maxLength": 255}
    if version >= (2, 90):
        server["properties"]["hostname"] = FQDN if version >= (2, 94) else HOSTNAME
    if version >= (2, 74):
        server["properties"]["host"] = FQDN
        server["properties"]["hypervisor_hostname"] = FQDN
    return schema


# A name per range in which the create body is the same; the first version of each.
create_v21 = _create((2, 1))
create_v219 = _create((2, 19))
create_v232 = _create((2, 32))
create_v233 = _create((2, 33))
create_v237 = _create((2, 37))
create_v242 = _create((2, 42))
create_v252 = _create((2, 52))
create_v257 = _create((2, 57))
create_v263 = _create((2, 63))
create_v274 = _create((2, 74))
create_v290 = _create((2, 90))
create_v294 = _create((2, 94))

_server_update: dict[str, Any] = {
    "type": "object",
    "properties": {"server": {
        "type": "object",
        "properties": {"name": name, "accessIPv4": ip_v4, "accessIPv6": ip_v6,
                       "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]}},
        "additionalProperties": False}},
    "required": ["server"],
    "additionalProperties": False,
}


update_v21 = _server_update
update_v219 = copy.deepcopy(_server_update)
update_v219["properties"]["server"]["properties"]["description"] = description
update_v290 = copy.deepcopy(update_v219)
update_v290["properties"]["server"]["properties"]["hostname"] = HOSTNAME
update_v294 = copy.deepcopy(update_v219)
update_v294["properties"]["server"]["properties"]["hostname"] = FQDN
update_v2104 = copy.deepcopy(update_v294)
update_v2104["properties"]["server"]["properties"]["pinned_availability_zone"] = {
    "type": ["string", "null"], "minLength": 1, "maxLength": 255}


metadata_body = {"type": "object", "properties": {"metadata": metadata},
                 "required": ["metadata"], "additionalProperties": False}
meta_item_body = {"type": "object",
                  "properties": {"meta": {**metadata, "minProperties": 1, "maxProperties": 1}},
                  "required": ["meta"], "additionalProperties": False}
