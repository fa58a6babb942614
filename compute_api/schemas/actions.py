"""Schemas of POST /servers/{id}/action bodies, one per action."""
from __future__ import annotations

console_output = {
    "type": "object",
    "properties": {"os-getConsoleOutput": {
        "type": ["object", "null"],
        "properties": {"length": {"type": ["integer", "string", "null"],
                                  "pattern": "^-?[0-9]+$"}},
        "additionalProperties": False}},
    "required": ["os-getConsoleOutput"],
    "additionalProperties": False,
}
