"""Schema of POST /os-server-external-events: the event names grow with the version."""
from __future__ import annotations

from typing import Any

NAMES_V20 = ["network-changed", "network-vif-plugged", "network-vif-unplugged",
             "network-vif-deleted"]
# Microversion that added each later name.
LATER_NAMES = [((2, 51), "volume-extended"), ((2, 76), "power-update"),
               ((2, 82), "accelerator-request-bound"), ((2, 93), "volume-reimaged")]
STATUSES = ["failed", "completed", "in-progress"]
# Events that mean nothing without a tag (the volume, the power state, the request).
TAG_REQUIRED = ("volume-extended", "power-update", "accelerator-request-bound")


def names(version: tuple[int, int]) -> list[str]:
    return NAMES_V20 + [name for since, name in LATER_NAMES if version >= since]


def create(version: tuple[int, int]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"events": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "enum": names(version)},
                    "server_uuid": {"type": "string", "format": "uuid"},
                    "status": {"type": "string", "enum": STATUSES},
                    "tag": {"type": "string", "maxLength": 255}},
                "required": ["name", "server_uuid"], "additionalProperties": False}}},
        "required": ["events"], "additionalProperties": False,
    }


create_v20 = create((2, 0))
create_v251 = create((2, 51))
create_v276 = create((2, 76))
create_v282 = create((2, 82))
create_v293 = create((2, 93))
