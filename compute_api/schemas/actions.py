"""Schemas of POST /servers/{id}/action bodies, one per action."""
from __future__ import annotations

from typing import Any

from compute_api.schemas.servers import FQDN, HOSTNAME
from stratus.api import validation

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


# An action that takes no argument: {"pause": null} as Nova documents it, or {"pause": {}}
# as Tempest and older clients send it; nothing inside. The dispatcher has checked the one
# name already.
no_argument = {"type": "object", "minProperties": 1, "maxProperties": 1,
               "additionalProperties": {"type": ["null", "object"], "maxProperties": 0}}

# lock: anything before 2.73 (Nova ignores it), then null or a reason.
lock_v21 = {"type": "object", "properties": {"lock": {}}, "required": ["lock"],
            "additionalProperties": False}
lock_v273 = {"type": "object",
             "properties": {"lock": {
                 "type": ["object", "null"],
                 "properties": {"locked_reason": {"type": "string", "minLength": 1,
                                                  "maxLength": 255}},
                 "additionalProperties": False}},
             "required": ["lock"], "additionalProperties": False}
unlock = {"type": "object", "properties": {"unlock": {}}, "required": ["unlock"],
          "additionalProperties": False}

reset_state = {
    "type": "object",
    "properties": {"os-resetState": {
        "type": "object",
        "properties": {"state": {"type": "string", "enum": ["active", "error"]}},
        "required": ["state"], "additionalProperties": False}},
    "required": ["os-resetState"], "additionalProperties": False,
}

rescue = {
    "type": "object",
    "properties": {"rescue": {
        "type": ["object", "null"],
        "properties": {"adminPass": {"type": "string"},
                       "rescue_image_ref": {"type": "string", "format": "uuid"}},
        "additionalProperties": False}},
    "required": ["rescue"], "additionalProperties": False,
}

create_backup = {
    "type": "object",
    "properties": {"createBackup": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 255},
            "backup_type": {"type": "string"},
            "rotation": {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0,
                         "maximum": 1000},
            "metadata": {"type": "object", "additionalProperties": {"type": "string",
                                                                    "maxLength": 255}},
        },
        "required": ["name", "backup_type", "rotation"], "additionalProperties": False}},
    "required": ["createBackup"], "additionalProperties": False,
}

create_image = {
    "type": "object",
    "properties": {"createImage": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 255},
            "metadata": validation.metadata,
        },
        "required": ["name"], "additionalProperties": False}},
    "required": ["createImage"], "additionalProperties": False,
}


def _rebuild(version: tuple[int, int]) -> dict[str, Any]:
    """The rebuild body as of `version`."""
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
    if version >= (2, 90):
        props["hostname"] = FQDN if version >= (2, 94) else HOSTNAME
    return {"type": "object",
            "properties": {"rebuild": {"type": "object", "properties": props,
                                       "required": ["imageRef"],
                                       "additionalProperties": False}},
            "required": ["rebuild"], "additionalProperties": False}


def _evacuate(version: tuple[int, int]) -> dict[str, Any]:
    """onSharedStorage until 2.14 (required; only False: there is no shared storage),
    force from 2.29 to 2.67 (the named host bypasses the filters, never the capacity
    check)."""
    props: dict[str, Any] = {"host": {"type": "string", "minLength": 1, "maxLength": 255},
                             "adminPass": {"type": "string"}}
    required = []
    if version < (2, 14):
        props["onSharedStorage"] = {"type": ["boolean", "string"]}
        required.append("onSharedStorage")
    if (2, 29) <= version < (2, 68):
        props["force"] = {"type": ["boolean", "string"]}
    return {"type": "object",
            "properties": {"evacuate": {"type": "object", "properties": props,
                                        "required": required,
                                        "additionalProperties": False}},
            "required": ["evacuate"], "additionalProperties": False}


# A name per range in which the body is the same; the first version of each.
rebuild_v21 = _rebuild((2, 1))
rebuild_v219 = _rebuild((2, 19))
rebuild_v254 = _rebuild((2, 54))
rebuild_v257 = _rebuild((2, 57))
rebuild_v263 = _rebuild((2, 63))
rebuild_v290 = _rebuild((2, 90))
rebuild_v294 = _rebuild((2, 94))
evacuate_v21 = _evacuate((2, 1))
evacuate_v214 = _evacuate((2, 14))
evacuate_v229 = _evacuate((2, 29))
evacuate_v268 = _evacuate((2, 68))

change_password = {
    "type": "object",
    "properties": {"changePassword": {
        "type": "object",
        "properties": {"adminPass": {"type": "string"}},
        "required": ["adminPass"], "additionalProperties": False}},
    "required": ["changePassword"], "additionalProperties": False,
}

# trigger_crash_dump takes null, as Nova's schema says.
trigger_crash_dump = {"type": "object", "properties": {"trigger_crash_dump": {"type": "null"}},
                      "required": ["trigger_crash_dump"], "additionalProperties": False}

resize = {
    "type": "object",
    "properties": {"resize": {
        "type": "object",
        "properties": {"flavorRef": {"type": ["string", "integer"], "minLength": 1},
                       "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]}},
        "required": ["flavorRef"], "additionalProperties": False}},
    "required": ["resize"], "additionalProperties": False,
}

# unshelve: from 2.77 an availability zone (an offloaded server is scheduled into it;
# an object must name it), from 2.91 a host and a null zone (unpin).
unshelve_v277 = {
    "type": "object",
    "properties": {"unshelve": {
        "type": ["object", "null"],
        "properties": {"availability_zone": {"type": "string", "minLength": 1,
                                             "maxLength": 255}},
        "required": ["availability_zone"], "additionalProperties": False}},
    "required": ["unshelve"], "additionalProperties": False,
}
unshelve_v291 = {
    "type": "object",
    "properties": {"unshelve": {
        "type": ["object", "null"],
        "properties": {"availability_zone": {"type": ["string", "null"], "minLength": 1,
                                             "maxLength": 255},
                       "host": {"type": "string", "minLength": 1, "maxLength": 255}},
        "additionalProperties": False}},
    "required": ["unshelve"], "additionalProperties": False,
}

# migrate: nothing before 2.56, then an optional target host (admins).
migrate_v21 = no_argument
migrate_v256 = {
    "type": "object",
    "properties": {"migrate": {
        "type": ["object", "null"],
        "properties": {"host": {"type": ["string", "null"], "minLength": 1,
                                "maxLength": 255,
                                "pattern": "^[a-zA-Z0-9-._]*$"}},
        "additionalProperties": False}},
    "required": ["migrate"], "additionalProperties": False,
}
