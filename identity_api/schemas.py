"""Request body schemas of the identity API."""
from __future__ import annotations

from typing import Any

_id_or_name = {"type": "object", "properties": {"id": {"type": "string"},
                                                  "name": {"type": "string"}}}
_domain = _id_or_name
# A scope names one target; only a project can be scoped to (the handler refuses the
# rest with 401), but each must have its shape: the handler reads them as objects.
_scope = {
    "type": ["object", "string"],
    "properties": {
        "project": {"type": "object",
                    "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                   "domain": _domain}},
        "domain": _domain,
        "system": {"type": "object"},
        "OS-TRUST:trust": {"type": "object"},
    },
    "maxProperties": 1,
}

auth: dict[str, Any] = {
    "type": "object",
    "properties": {"auth": {
        "type": "object",
        "properties": {
            "identity": {
                "type": "object",
                "properties": {
                    "methods": {"type": "array", "minItems": 1,
                                "items": {"type": "string", "enum": ["password", "token"]}},
                    "password": {"type": "object", "properties": {"user": {
                        "type": "object",
                        "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                       "password": {"type": "string"}, "domain": _domain},
                        "required": ["password"]}},
                        "required": ["user"]},
                    "token": {"type": "object", "properties": {"id": {"type": "string"}},
                              "required": ["id"]},
                },
                "required": ["methods"],
            },
            "scope": _scope,
        },
        "required": ["identity"]}},
    "required": ["auth"],
}

_name = {"type": "string", "minLength": 1, "maxLength": 64}


def entity(wrapper: str, properties: dict[str, Any],
           required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object",
            "properties": {wrapper: {"type": "object", "properties": properties,
                                     "required": list(required)}},
            "required": [wrapper]}


project_props = {"name": _name, "description": {"type": ["string", "null"]},
                 "enabled": {"type": "boolean"}, "domain_id": {"type": "string"},
                 "is_domain": {"type": "boolean", "enum": [False]},
                 "parent_id": {"type": ["string", "null"]}, "tags": {"type": "array"},
                 "options": {"type": "object"}}
user_props = {"name": {"type": "string", "minLength": 1, "maxLength": 255},
              "password": {"type": ["string", "null"]}, "enabled": {"type": "boolean"},
              "domain_id": {"type": "string"}, "default_project_id": {"type": ["string", "null"]},
              "email": {"type": ["string", "null"]}, "description": {"type": ["string", "null"]},
              "options": {"type": "object"}}
role_props = {"name": {"type": "string", "minLength": 1, "maxLength": 255},
              "domain_id": {"type": ["string", "null"]},
              "description": {"type": ["string", "null"], "maxLength": 255},
              "options": {"type": "object"}}

project_create = entity("project", project_props, ("name",))
project_update = entity("project", project_props)
user_create = entity("user", user_props, ("name",))
user_update = entity("user", user_props)
role_create = entity("role", role_props, ("name",))
