"""Schemas of the os-services updates: actions before 2.53, by uuid from 2.53."""
from __future__ import annotations

from stratus.api.validation import boolean

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

# 2.53: PUT /os-services/{service_uuid}; nothing is required, but something must change.
update_v253 = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["enabled", "disabled"]},
        "disabled_reason": {"type": "string", "minLength": 1, "maxLength": 255},
        "forced_down": boolean,
    },
    "additionalProperties": False,
}
