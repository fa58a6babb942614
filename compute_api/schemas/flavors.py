"""Schemas of the flavor resources."""
from __future__ import annotations

import copy
from typing import Any

from stratus.api.validation import MAX_FLOAT, MAX_INT, boolean

_positive = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1,
             "maximum": MAX_INT}
_non_negative = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0,
                 "maximum": MAX_INT}
# "" is what clients send for no swap or ephemeral disk.
_non_negative_or_empty = {**_non_negative, "pattern": "^[0-9]*$"}

create = {
    "type": "object",
    "properties": {"flavor": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 255,
                     "pattern": r"^(?! )[a-zA-Z0-9. _-]+(?<! )$"},
            # "." and ".." would be path segments: /flavors/.. names no flavor. A number
            # is taken as its decimal text (Tempest and old clients send integers).
            "id": {"type": ["string", "integer", "null"], "minLength": 1, "maxLength": 255,
                   "minimum": 0, "maximum": MAX_INT,
                   "pattern": r"^(?! )[a-zA-Z0-9. _-]+(?<! )$",
                   "not": {"enum": [".", ".."]}},
            "ram": _positive,
            "vcpus": _positive,
            "disk": _non_negative,
            "OS-FLV-EXT-DATA:ephemeral": _non_negative_or_empty,
            "swap": _non_negative_or_empty,
            # A positive float that a 4-byte float column holds.
            "rxtx_factor": {"type": ["number", "string"], "pattern": r"^[0-9]+(\.[0-9]+)?$",
                            "minimum": 0, "exclusiveMinimum": True, "maximum": MAX_FLOAT},
            "os-flavor-access:is_public": boolean,
        },
        "required": ["name", "ram", "vcpus", "disk"],
        "additionalProperties": False}},
    "required": ["flavor"],
    "additionalProperties": False,
}

# 2.55: a TEXT column's worth of printable characters (Nova refuses control characters).
_description = {"type": ["string", "null"], "minLength": 0, "maxLength": 65535,
                "pattern": r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"}

create_v255: dict[str, Any] = copy.deepcopy(create)
create_v255["properties"]["flavor"]["properties"]["description"] = _description
# 2.102: no rxtx_factor.
create_v2102: dict[str, Any] = copy.deepcopy(create_v255)
del create_v2102["properties"]["flavor"]["properties"]["rxtx_factor"]

update = {
    "type": "object",
    "properties": {"flavor": {"type": "object", "properties": {"description": _description},
                              "required": ["description"], "additionalProperties": False}},
    "required": ["flavor"],
    "additionalProperties": False,
}

_spec_key = r"^[a-zA-Z0-9-_:. ]{1,255}$"
_spec_value = {"type": ["string", "number", "boolean"], "maxLength": 255}

extra_specs = {
    "type": "object",
    "properties": {"extra_specs": {"type": "object", "patternProperties": {_spec_key: _spec_value},
                                   "additionalProperties": False}},
    "required": ["extra_specs"],
    "additionalProperties": False,
}

extra_spec_item = {"type": "object", "patternProperties": {_spec_key: _spec_value},
                   "minProperties": 1, "maxProperties": 1, "additionalProperties": False}

_tenant = {"type": "object", "properties": {"tenant": {"type": "string", "minLength": 1,
                                                        "maxLength": 255}},
           "required": ["tenant"], "additionalProperties": False}
access_action = {
    "type": "object",
    "properties": {"addTenantAccess": _tenant, "removeTenantAccess": _tenant},
    "minProperties": 1, "maxProperties": 1, "additionalProperties": False,
}
