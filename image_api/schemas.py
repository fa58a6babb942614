"""What an image body may hold, and which attributes clients may not set."""
from __future__ import annotations

from typing import Any

from stratus.api.validation import MAX_INT
from stratus.image_properties import BASE_ATTRS, READ_ONLY

__all__ = ["BASE_ATTRS", "READ_ONLY"]

DISK_FORMATS = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
                "ploop"]
CONTAINER_FORMATS = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"]
# Glance's columns: INT for min_ram/min_disk, VARCHAR(255) property names and values.
MAX_PROPERTY_LENGTH = 255
_text = r"^[^\x00]*$"  # NUL ends a string in C and in some databases: never text here

image: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F])"
                                            "{4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"},
        "name": {"type": ["null", "string"], "maxLength": 255, "pattern": _text},
        "visibility": {"type": "string",
                       "enum": ["public", "private", "shared", "community"]},
        "disk_format": {"type": ["null", "string"], "enum": [None, *DISK_FORMATS]},
        "container_format": {"type": ["null", "string"], "enum": [None, *CONTAINER_FORMATS]},
        "min_disk": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
        "min_ram": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
        "protected": {"type": "boolean"},
        "os_hidden": {"type": "boolean"},
        "owner": {"type": ["null", "string"], "maxLength": 255, "pattern": _text},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 255,
                                            "pattern": _text},
                 "uniqueItems": True},
    },
    "additionalProperties": {"type": "string", "maxLength": MAX_PROPERTY_LENGTH,
                             "pattern": _text},
}

patch: dict[str, Any] = {
    "type": "array",
    "items": {"type": "object",
              "properties": {"op": {"type": "string", "enum": ["add", "replace", "remove"]},
                             "path": {"type": "string", "pattern": "^/.+"},
                             "value": {}},
              "required": ["op", "path"]},
}


def image_document() -> dict[str, Any]:
    """The schema clients fetch from /v2/schemas/image."""
    props: dict[str, Any] = dict(image["properties"])
    props.update({k: {"type": ["null", "string", "integer"], "readOnly": True}
                  for k in sorted(READ_ONLY)})
    return {"name": "image", "properties": props,
            "additionalProperties": {"type": "string"},
            "links": [{"rel": "self", "href": "{self}"}, {"rel": "enclosure", "href": "{file}"},
                      {"rel": "describedby", "href": "{schema}"}]}
