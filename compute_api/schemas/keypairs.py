"""Schemas of POST /os-keypairs (2.1, 2.2 adds type, 2.10 adds user_id, 2.92 requires
the public key (no more generated pairs) and allows "@" and "." in names)."""
from __future__ import annotations

import copy
from typing import Any

_create: dict[str, Any] = {
    "type": "object",
    "properties": {"keypair": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 255,
                     "pattern": r"^[a-zA-Z0-9 _-]+$"},
            "public_key": {"type": "string"},
        },
        "required": ["name"],
        "additionalProperties": False}},
    "required": ["keypair"],
    "additionalProperties": False,
}


def _create_at(version: tuple[int, int]) -> dict[str, Any]:
    schema = copy.deepcopy(_create)
    props = schema["properties"]["keypair"]["properties"]
    if version >= (2, 2):
        props["type"] = {"type": "string", "enum": ["ssh", "x509"]}
    if version >= (2, 10):
        props["user_id"] = {"type": "string", "minLength": 1, "maxLength": 255}
    if version >= (2, 92):
        props["name"] = {**props["name"], "pattern": r"^[a-zA-Z0-9 _.@-]+$"}
        schema["properties"]["keypair"]["required"] = ["name", "public_key"]
    return schema


create_v21 = _create_at((2, 1))
create_v22 = _create_at((2, 2))
create_v210 = _create_at((2, 10))
create_v292 = _create_at((2, 92))
