"""The flat JSON shape of an image, as Glance v2 writes it."""
from __future__ import annotations

from typing import Any

from image_api.schemas import BASE_ATTRS


def _time(value: str | None) -> str | None:
    return value + "Z" if value else None


def image(row: dict[str, Any]) -> dict[str, Any]:
    # Properties first: one named like a core attribute (stored before such names were
    # refused) never shadows the real value.
    body = dict(row["properties"] or {})
    body.update({key: row[key] for key in BASE_ATTRS})
    body.update({
        "status": row["status"], "size": row["size"], "virtual_size": row["virtual_size"],
        "checksum": row["checksum"], "os_hash_algo": row["os_hash_algo"],
        "os_hash_value": row["os_hash_value"], "tags": list(row["tags"] or []),
        "created_at": _time(row["created_at"]), "updated_at": _time(row["updated_at"]),
        "self": f"/v2/images/{row['id']}", "file": f"/v2/images/{row['id']}/file",
        "schema": "/v2/schemas/image"})
    return body

