"""Schemas of POST /servers/{id}/action bodies, one per action."""
from __future__ import annotations

import functools
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


# Cached: one schema object per argument, so its compiled validator is reused.
@functools.cache
def no_argument(name: str) -> dict[str, Any]:
    """An action that takes no argument: {"pause": null}, and only null (the value
    Nova documents and its clients send)."""
    return {"type": "object", "properties": {name: {"type": "null"}},
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


@functools.cache
def rebuild(version: tuple[int, int]) -> dict[str, Any]:
    props: dict[str, Any] = {
        "imageRef": {"type": "string", "minLength": 1, "maxLength": 255},
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "adminPass": {"type": "string"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string",
                                                                "maxLength": 255}},
        "preserve_ephemeral": {"type": "boolean"},
        "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
        "accessIPv4": {"type": "string", "format": "ipv4"},
        "accessIPv6": {"type": "string", "format": "ipv6"},
    }
    if version >= (2, 19):
        props["description"] = {"type": ["string", "null"], "maxLength": 255}
    if version >= (2, 54):
        props["key_name"] = {"type": ["string", "null"], "minLength": 1, "maxLength": 255}
    if version >= (2, 57):
        # Personality files were never accepted here; 2.57 adds user_data (null resets).
        props["user_data"] = {"type": ["string", "null"], "maxLength": 65535}
    if version >= (2, 63):
        props["trusted_image_certificates"] = {
            "type": ["array", "null"], "minItems": 1, "maxItems": 50, "uniqueItems": True,
            "items": {"type": "string", "minLength": 1}}
    return {"type": "object",
            "properties": {"rebuild": {"type": "object", "properties": props,
                                       "required": ["imageRef"],
                                       "additionalProperties": False}},
            "required": ["rebuild"], "additionalProperties": False}


@functools.cache
def evacuate(version: tuple[int, int]) -> dict[str, Any]:
    """onSharedStorage until 2.14 (required; only False: there is no shared storage),
    force from 2.29 (the named host bypasses the filters, never the capacity check)."""
    props: dict[str, Any] = {"host": {"type": "string", "minLength": 1, "maxLength": 255},
                             "adminPass": {"type": "string"}}
    required = []
    if version < (2, 14):
        props["onSharedStorage"] = {"type": ["boolean", "string"]}
        required.append("onSharedStorage")
    if version >= (2, 29):
        props["force"] = {"type": ["boolean", "string"]}
    return {"type": "object",
            "properties": {"evacuate": {"type": "object", "properties": props,
                                        "required": required,
                                        "additionalProperties": False}},
            "required": ["evacuate"], "additionalProperties": False}
