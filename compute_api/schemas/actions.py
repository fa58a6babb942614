"""Schemas of POST /servers/{id}/action bodies, one per action."""
from __future__ import annotations

from typing import Any

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

reboot = {
    "type": "object",
    "properties": {"reboot": {
        "type": "object",
        "properties": {"type": {"type": "string",
                                "enum": ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]}},
        "required": ["type"], "additionalProperties": False}},
    "required": ["reboot"], "additionalProperties": False,
}


def no_argument(name: str) -> dict[str, Any]:
    """An action that takes no argument: {"pause": null}."""
    return {"type": "object",
            "properties": {name: {"type": ["null", "object"], "maxProperties": 0}},
            "required": [name], "additionalProperties": False}

create_image = {
    "type": "object",
    "properties": {"createImage": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 255},
            "metadata": {"type": "object", "additionalProperties": {"type": "string",
                                                                    "maxLength": 255}},
        },
        "required": ["name"], "additionalProperties": False}},
    "required": ["createImage"], "additionalProperties": False,
}
