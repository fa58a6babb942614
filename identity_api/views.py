"""JSON shapes of identity resources, as Keystone writes them."""
from __future__ import annotations

from typing import Any

from stratus.config import CONF

DEFAULT_DOMAIN = {"id": "default", "name": "Default"}


def base() -> str:
    return CONF.identity.public_endpoint.rstrip("/") + "/v3"


def _links(collection: str, ident: str) -> dict[str, str]:
    return {"self": f"{base()}/{collection}/{ident}"}


def collection_links(collection: str) -> dict[str, Any]:
    return {"self": f"{base()}/{collection}", "previous": None, "next": None}


def project(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "domain_id": row["domain_id"],
            "description": row["description"] or "", "enabled": row["enabled"],
            "is_domain": False, "parent_id": row["domain_id"], "tags": [], "options": {},
            "links": _links("projects", row["id"])}


def user(row: dict[str, Any]) -> dict[str, Any]:
    body = {"id": row["id"], "name": row["name"], "domain_id": row["domain_id"],
            "enabled": row["enabled"], "password_expires_at": None, "options": {},
            "links": _links("users", row["id"])}
    for key in ("default_project_id", "email", "description"):
        if row.get(key):
            body[key] = row[key]
    return body


def role(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "domain_id": None,
            "description": row.get("description"),
            "options": {}, "links": _links("roles", row["id"])}


def domain() -> dict[str, Any]:
    return {"id": "default", "name": "Default", "enabled": True,
            "description": "The default domain", "tags": [], "options": {},
            "links": _links("domains", "default")}


def version() -> dict[str, Any]:
    return {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": base() + "/"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.identity-v3+json"}]}
