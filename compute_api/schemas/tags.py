"""Schemas of the server tags API (2.26): a tag is 1-60 characters, no "/" or ","."""
from __future__ import annotations

from typing import Any

TAG: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 60,
                       "pattern": "^[^,/]*$"}

update_all = {
    "type": "object",
    "properties": {"tags": {"type": "array", "items": TAG}},
    "required": ["tags"], "additionalProperties": False,
}
