"""Schemas of quota set and quota class set updates."""
from __future__ import annotations

from typing import Any

from stratus.api.validation import MAX_INT

# -1 is unlimited; the maximum is the database's INT.
_limit = {"type": ["integer", "string"], "pattern": r"^-?[0-9]+$", "minimum": -1,
          "maximum": MAX_INT}


def update_schema(resources: tuple[str, ...], wrapper: str,
                  with_force: bool) -> dict[str, Any]:
    props: dict[str, Any] = {r: _limit for r in resources}
    if with_force:
        props["force"] = {"type": ["boolean", "string"]}
    return {"type": "object",
            "properties": {wrapper: {"type": "object", "properties": props,
                                     "additionalProperties": False}},
            "required": [wrapper], "additionalProperties": False}
