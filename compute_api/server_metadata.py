"""/servers/{id}/metadata and /servers/{id}/ips (the work is in compute_api/service)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import server_view, service
from compute_api.common import Req, req
from compute_api.schemas import servers as schemas
from stratus import exception
from stratus.api import validation

router = APIRouter(prefix="/v2.1/servers/{server_id}")
M = "os_compute_api:server-metadata:%s"


def _update(r: Req, server_id: str, action: str, updates: dict[str, str],
            deletes: list[str] | None = None, replace: bool = False) -> dict[str, str]:
    inst = service.get_server(r.ctx, server_id)
    r.authorize(M % action, service.target(inst))
    return service.update_server_metadata(r.ctx, server_id, updates, deletes, replace)


@router.get("/metadata")
def index(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    inst = service.get_server(r.ctx, server_id)
    r.authorize(M % "index", service.target(inst))
    return {"metadata": inst["metadata"]}


@router.post("/metadata")
@validation.schema(schemas.metadata_body)
def create(server_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    return {"metadata": _update(r, server_id, "create", body["metadata"])}


@router.put("/metadata")
@validation.schema(schemas.metadata_body)
def update_all(server_id: str, body: Any = Body(None),
               r: Req = Depends(req)) -> dict[str, Any]:
    return {"metadata": _update(r, server_id, "update_all", body["metadata"], replace=True)}


@router.get("/metadata/{key}")
def show(server_id: str, key: str, r: Req = Depends(req)) -> dict[str, Any]:
    inst = service.get_server(r.ctx, server_id)
    r.authorize(M % "show", service.target(inst))
    return {"meta": {key: service.server_metadata_item(inst, key)}}


@router.put("/metadata/{key}")
@validation.schema(schemas.meta_item_body)
def update(server_id: str, key: str, body: Any = Body(None),
           r: Req = Depends(req)) -> dict[str, Any]:
    if key not in body["meta"]:
        raise exception.Invalid("Request body and URI mismatch")
    _update(r, server_id, "update", body["meta"])
    return {"meta": body["meta"]}


@router.delete("/metadata/{key}", status_code=204)
def delete(server_id: str, key: str, r: Req = Depends(req)) -> Response:
    _update(r, server_id, "delete", {}, deletes=[key])
    return Response(status_code=204)


@router.get("/ips")
def ips(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    inst = service.get_server(r.ctx, server_id)
    r.authorize("os_compute_api:ips:index", service.target(inst))
    return {"addresses": server_view.plain_addresses(
        server_view.addresses(inst.get("network_info")))}


@router.get("/ips/{network}")
def ips_by_network(server_id: str, network: str, r: Req = Depends(req)) -> dict[str, Any]:
    inst = service.get_server(r.ctx, server_id)
    r.authorize("os_compute_api:ips:show", service.target(inst))
    found = server_view.plain_addresses(server_view.addresses(inst.get("network_info")))
    if network not in found:
        raise exception.NotFound("Instance is not a member of specified network")
    return {network: found[network]}

