"""Request schema of POST /os-server-groups: `policies` (a list of one) before 2.64,
`policy` and `rules` from 2.64; the soft policies from 2.15."""
from __future__ import annotations

from typing import Any

from stratus.api.validation import MAX_INT

HARD = ["anti-affinity", "affinity"]
SOFT = ["soft-anti-affinity", "soft-affinity"]
_name = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^\S(.*\S)?$"}


def _create_at(version: tuple[int, int]) -> dict[str, Any]:
    policies = HARD + SOFT if version >= (2, 15) else HARD
    if version >= (2, 64):
        group = {
            "type": "object",
            "properties": {
                "name": _name,
                "policy": {"type": "string", "enum": policies},
                "rules": {"type": "object",
                          "properties": {"max_server_per_host": {
                              "type": ["integer", "string"], "pattern": "^[0-9]+$",
                              "minimum": 1, "maximum": MAX_INT}},
                          "additionalProperties": False}},
            "required": ["name", "policy"], "additionalProperties": False}
    else:
        group = {
            "type": "object",
            "properties": {
                "name": _name,
                "policies": {"type": "array", "minItems": 1, "maxItems": 1,
                             "items": {"type": "string", "enum": policies}}},
            "required": ["name", "policies"], "additionalProperties": False}
    return {"type": "object", "properties": {"server_group": group},
            "required": ["server_group"], "additionalProperties": False}


create_v21 = _create_at((2, 1))
create_v215 = _create_at((2, 15))
create_v264 = _create_at((2, 64))
