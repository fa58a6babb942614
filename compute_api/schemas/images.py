"""Schemas of the image metadata proxy (/images/{id}/metadata, 2.1 to 2.38): Nova's
image_metadata schemas. Keys and values as server metadata has them; an item PUT names
exactly one key."""
from __future__ import annotations

from typing import Any

from stratus.api.validation import metadata

create: dict[str, Any] = {"type": "object", "properties": {"metadata": metadata},
                          "required": ["metadata"], "additionalProperties": False}
update_all = create
update: dict[str, Any] = {
    "type": "object",
    "properties": {"meta": {**metadata, "minProperties": 1, "maxProperties": 1}},
    "required": ["meta"], "additionalProperties": False}
