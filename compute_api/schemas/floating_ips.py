"""Bodies of the floating IP APIs (nova-network's, up to 2.35) and of the addFloatingIp
and removeFloatingIp actions."""
from __future__ import annotations

ip_address = {"type": "string", "oneOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
name = {"type": "string", "minLength": 1, "maxLength": 255}

allocate = {"type": ["object", "null"], "properties": {"pool": {"type": ["string", "null"]}}}

add_floating_ip = {
    "type": "object",
    "properties": {"addFloatingIp": {
        "type": "object",
        "properties": {"address": ip_address, "fixed_address": ip_address},
        "required": ["address"], "additionalProperties": False}},
    "required": ["addFloatingIp"], "additionalProperties": False,
}

remove_floating_ip = {
    "type": "object",
    "properties": {"removeFloatingIp": {
        "type": "object", "properties": {"address": ip_address},
        "required": ["address"], "additionalProperties": False}},
    "required": ["removeFloatingIp"], "additionalProperties": False,
}

bulk_create = {
    "type": "object",
    "properties": {"floating_ips_bulk_create": {
        "type": "object",
        "properties": {"ip_range": {"type": "string", "minLength": 1, "maxLength": 43},
                       "pool": name,
                       "interface": {"type": "string", "pattern": "^[a-zA-Z0-9_.-]{1,15}$"}},
        "required": ["ip_range"], "additionalProperties": False}},
    "required": ["floating_ips_bulk_create"], "additionalProperties": False,
}

bulk_delete = {
    "type": "object",
    "properties": {"ip_range": {"type": "string", "minLength": 1, "maxLength": 43}},
    "required": ["ip_range"], "additionalProperties": False,
}
