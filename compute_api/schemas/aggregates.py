"""Request schemas of /os-aggregates."""
from __future__ import annotations

from typing import Any

_name = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^\S(.*\S)?$"}
# A zone name may not hold ":" (it separates the admin forms AZ:HOST and AZ::NODE).
_zone = {"type": ["string", "null"], "minLength": 1, "maxLength": 255, "pattern": r"^[^:]*$"}


def _wrapped(key: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {key: body}, "required": [key],
            "additionalProperties": False}


create = _wrapped("aggregate", {
    "type": "object", "properties": {"name": _name, "availability_zone": _zone},
    "required": ["name"], "additionalProperties": False})

update = _wrapped("aggregate", {
    "type": "object", "properties": {"name": _name, "availability_zone": _zone},
    "minProperties": 1, "additionalProperties": False})

host = {"type": "object", "properties": {"host": {"type": "string", "minLength": 1,
                                                  "maxLength": 255}},
        "required": ["host"], "additionalProperties": False}

set_metadata = {
    "type": "object",
    "properties": {"metadata": {
        "type": "object",
        "patternProperties": {r"^[a-zA-Z0-9-_:. ]{1,255}$": {
            "type": ["string", "null"], "maxLength": 255}},
        "additionalProperties": False}},
    "required": ["metadata"], "additionalProperties": False}


# POST /os-aggregates/{id}/images (2.81): images to fetch into the hosts' caches.
images = {
    "type": "object",
    "properties": {"cache": {
        "type": "array", "minItems": 1,
        "items": {"type": "object", "properties": {"id": {"type": "string",
                                                          "format": "uuid"}},
                  "required": ["id"], "additionalProperties": False}}},
    "required": ["cache"], "additionalProperties": False,
}
