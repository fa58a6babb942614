"""JSON shapes of identity resources, as Keystone writes them."""
from __future__ import annotations

import datetime
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


def role_assignment(row: dict[str, Any]) -> dict[str, Any]:
    """One assignment of identity_api.service.list_role_assignments, names if it has them."""
    item: dict[str, Any] = {
        "role": {"id": row["role_id"]}, "user": {"id": row["user_id"]},
        "scope": {"project": {"id": row["project_id"]}},
        "links": {"assignment": f"{base()}/projects/{row['project_id']}/users/"
                                f"{row['user_id']}/roles/{row['role_id']}"}}
    for key, named in (("role", item["role"]), ("user", item["user"]),
                       ("project", item["scope"]["project"])):
        if f"{key}_name" in row:
            named["name"] = row[f"{key}_name"]
    return item


def domain() -> dict[str, Any]:
    return {"id": "default", "name": "Default", "enabled": True,
            "description": "The default domain", "tags": [], "options": {},
            "links": _links("domains", "default")}


def _time(value: str) -> str:
    return datetime.datetime.fromisoformat(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def token(payload: dict[str, Any], catalog: list[dict[str, Any]] | None) -> dict[str, Any]:
    """A token's body from its payload; a project-scoped one has its catalog."""
    audit_ids = [payload["audit_id"]] + ([payload["parent_audit_id"]]
                                         if payload.get("parent_audit_id") else [])
    body: dict[str, Any] = {
        "methods": payload["methods"],
        "user": {"id": payload["user_id"], "name": payload["user_name"],
                 "domain": DEFAULT_DOMAIN, "password_expires_at": None},
        "audit_ids": audit_ids,
        "expires_at": _time(payload["expires_at"]),
        "issued_at": _time(payload["issued_at"]),
    }
    if payload.get("project_id"):
        body.update({
            "project": {"id": payload["project_id"], "name": payload["project_name"],
                        "domain": DEFAULT_DOMAIN},
            "is_domain": False,
            "roles": [{"id": i, "name": n} for i, n in zip(payload["role_ids"],
                                                           payload["roles"])],
            "catalog": catalog})
    return body


def version() -> dict[str, Any]:
    return {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": base() + "/"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.identity-v3+json"}]}
