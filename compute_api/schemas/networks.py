"""Request schemas of nova-network's APIs: /os-networks (and its actions),
/os-tenant-networks, /os-fixed-ips actions and the addFixedIp and removeFixedIp server
actions, as Nova's (17.0.0) parameter types.

A CIDR is only a string here: the conductor judges it (400 with its reason). Nova's
`oneOf` of cidr and cidr_v6 refuses a body with both; ours is `anyOf`, as a network
may have both ranges."""
from __future__ import annotations

from typing import Any

from stratus.api.validation import boolean

_cidr = {"type": "string", "minLength": 1, "maxLength": 43}
_ipv4 = {"type": "string", "format": "ipv4"}
_ipv6 = {"type": "string", "format": "ipv6"}
_ip = {"type": "string", "oneOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
_project_id = {"type": "string", "minLength": 1, "maxLength": 255,
               "pattern": "^[a-zA-Z0-9-]*$"}
# Nova's positive_integer_with_empty_str: an integer or digits; "" means unset.
_positive = {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 1}
_hostname = {"type": "string", "minLength": 1, "maxLength": 255,
             "pattern": "^[a-zA-Z0-9-._]*$"}
# Nova's parameter_types.none: an action that takes no argument.
none: dict[str, Any] = {"enum": ["None", None, {}]}
_label = {"type": "string", "minLength": 1, "maxLength": 255}
_either_range = [{"required": ["cidr"]}, {"required": ["cidr_v6"]}]


def _wrapped(key: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {key: body}, "required": [key],
            "additionalProperties": False}


create = _wrapped("network", {
    "type": "object",
    "properties": {
        "label": _label, "ipam": boolean, "cidr": _cidr, "cidr_v6": _cidr,
        "project_id": _project_id, "multi_host": boolean, "gateway": _ipv4,
        "gateway_v6": _ipv6, "bridge": {"type": "string"},
        "bridge_interface": {"type": "string"}, "dns1": _ipv4, "dns2": _ipv4,
        "dhcp_server": _ipv4, "fixed_cidr": _cidr, "allowed_start": _ip,
        "allowed_end": _ip, "enable_dhcp": boolean, "share_address": boolean,
        "mtu": _positive, "vlan": _positive, "vlan_start": _positive,
        "vpn_start": {"type": "string"},
    },
    "required": ["label"], "anyOf": _either_range, "additionalProperties": False})

add = {"type": "object", "properties": {"id": {"type": ["string", "null"]}},
       "required": ["id"], "additionalProperties": False}

associate_host = {"type": "object", "properties": {"associate_host": _hostname},
                  "required": ["associate_host"], "additionalProperties": False}

tenant_create = _wrapped("network", {
    "type": "object",
    "properties": {
        "label": _label, "ipam": boolean, "cidr": _cidr, "cidr_v6": _cidr,
        "vlan_start": _positive, "network_size": _positive, "num_networks": _positive,
    },
    "required": ["label"], "anyOf": _either_range, "additionalProperties": False})


def action(name: str) -> dict[str, Any]:
    """A body naming one argument-less action ({"reserve": null})."""
    return {"type": "object", "properties": {name: none}, "required": [name],
            "additionalProperties": False}


# networkId: as long as the networks' uuid column; a number is taken as its text.
add_fixed_ip = _wrapped("addFixedIp", {
    "type": "object",
    "properties": {"networkId": {"type": ["string", "number"], "minLength": 1,
                                 "maxLength": 36}},
    "required": ["networkId"], "additionalProperties": False})

remove_fixed_ip = _wrapped("removeFixedIp", {
    "type": "object", "properties": {"address": _ip},
    "required": ["address"], "additionalProperties": False})
