"""Schemas of the os-services actions (before 2.53)."""
from __future__ import annotations

_host_binary = {"host": {"type": "string", "minLength": 1, "maxLength": 255},
                "binary": {"type": "string", "minLength": 1, "maxLength": 255}}

enable_disable = {"type": "object", "properties": _host_binary,
                  "required": ["host", "binary"], "additionalProperties": False}
disable_log_reason = {
    "type": "object",
    "properties": {**_host_binary, "disabled_reason": {"type": "string", "minLength": 1,
                                                       "maxLength": 255}},
    "required": ["host", "binary", "disabled_reason"], "additionalProperties": False}
force_down = {
    "type": "object",
    "properties": {**_host_binary, "forced_down": {"type": ["boolean", "string"]}},
    "required": ["host", "binary", "forced_down"], "additionalProperties": False}
