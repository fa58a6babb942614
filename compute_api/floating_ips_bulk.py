"""/os-floating-ips-bulk (admins, nova-network's, 2.1-2.35): fill pools with ranges of
addresses, list every floating IP (of a host), remove ranges."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends

from compute_api.common import Req
from compute_api.networks import nova_network_req
from compute_api.schemas import floating_ips as schemas
from compute_api.service import floating_ips as service
from stratus.api import validation

router = APIRouter(prefix="/v2.1/os-floating-ips-bulk")
P = "os_compute_api:os-floating-ips-bulk"


def view(item: dict[str, Any]) -> dict[str, Any]:
    return {"address": item["address"], "fixed_ip": item["fixed_ip"],
            "instance_uuid": item["instance_uuid"], "interface": item["interface"],
            "pool": item["pool"], "project_id": item["project_id"]}


def _list(r: Req, host: str | None) -> dict[str, Any]:
    r.authorize(P, {})
    return {"floating_ip_info": [view(f) for f in service.bulk_list(r.ctx, host)]}


@router.get("")
def index(r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    return _list(r, None)


@router.get("/{host}")
def by_host(host: str, r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    return _list(r, host)


@router.post("")
@validation.schema(schemas.bulk_create)
def create(body: Any = Body(None), r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P, {})
    request = body["floating_ips_bulk_create"]
    service.bulk_create(r.ctx, request["ip_range"], request.get("pool"),
                        request.get("interface"))
    return {"floating_ips_bulk_create": {
        "ip_range": request["ip_range"],
        "pool": request.get("pool") or service.default_pool(),
        "interface": request.get("interface") or service.default_interface()}}


@router.put("/delete")
@validation.schema(schemas.bulk_delete)
def delete(body: Any = Body(None), r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P, {})
    service.bulk_delete(r.ctx, body["ip_range"])
    return {"floating_ips_bulk_delete": body["ip_range"]}
