"""/os-keypairs: import, generate, list, show, delete (the work is in compute_api/service)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import service
from compute_api.common import (Req, limit_and_marker, page, query_params,
                                refuse_unknown_query, req)
from compute_api.schemas import keypairs as schemas
from stratus.api import validation

router = APIRouter(prefix="/v2.1/os-keypairs")
K = "os_compute_api:os-keypairs:%s"


def _user(r: Req, requested: str | None = None) -> str:
    """Whose key pairs: the caller's, or (2.10, admins) those of `user_id`."""
    if r.at_least(10):
        return requested or r.query.get("user_id") or r.ctx.user_id
    return r.ctx.user_id


def view(r: Req, kp: dict[str, Any], full: bool = False) -> dict[str, Any]:
    body = {"name": kp["name"], "public_key": kp["public_key"],
            "fingerprint": kp["fingerprint"]}
    if full:
        body.update({"user_id": kp["user_id"], "id": kp["id"],
                     "created_at": kp["created_at"], "updated_at": None,
                     "deleted": False, "deleted_at": None})
    if r.at_least(2):
        body["type"] = kp["type"]
    return body


@router.get("")
@query_params("user_id", "limit", "marker")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, {"user_id", "limit", "marker"})
    user_id = _user(r)
    r.authorize(K % "index", {"user_id": user_id})
    limit, marker = limit_and_marker(r) if r.at_least(35) else (None, None)
    kps = service.list_keypairs(r.ctx, user_id, limit, marker)
    return page(r, "keypairs", [{"keypair": view(r, kp)} for kp in kps], kps, limit, "name")


@router.post("")
@validation.schema(schemas.create_v21, "2.1", "2.1")
@validation.schema(schemas.create_v22, "2.2", "2.9")
@validation.schema(schemas.create_v210, "2.10", "2.91")
@validation.schema(schemas.create_v292, "2.92")
def create(response: Response, body: Any = Body(None),
           r: Req = Depends(req)) -> dict[str, Any]:
    kp = body["keypair"]
    user_id = _user(r, kp.get("user_id"))
    r.authorize(K % "create", {"user_id": user_id})
    created = service.create_keypair(r.ctx, user_id, kp["name"], kp.get("type", "ssh"),
                                     kp.get("public_key"))
    out = view(r, created["keypair"])
    out["user_id"] = created["keypair"]["user_id"]
    if created["private_key"] is not None:
        out["private_key"] = created["private_key"]
    response.status_code = 201 if r.at_least(2) else 200
    return {"keypair": out}


@router.get("/{name}")
@query_params("user_id")
def show(name: str, r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, {"user_id"})
    user_id = _user(r)
    r.authorize(K % "show", {"user_id": user_id})
    return {"keypair": view(r, service.get_keypair(r.ctx, user_id, name), full=True)}


@router.delete("/{name}")
@query_params("user_id")
def delete(name: str, r: Req = Depends(req)) -> Response:
    refuse_unknown_query(r, {"user_id"})
    user_id = _user(r)
    r.authorize(K % "delete", {"user_id": user_id})
    service.delete_keypair(r.ctx, user_id, name)
    return Response(status_code=204 if r.at_least(2) else 202)
