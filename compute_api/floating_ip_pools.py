"""/os-floating-ip-pools (nova-network's, 2.1-2.35): the pools floating IPs come from."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api.common import Req
from compute_api.networks import nova_network_req
from compute_api.service import floating_ips as service

router = APIRouter(prefix="/v2.1/os-floating-ip-pools")


@router.get("")
def index(r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize("os_compute_api:os-floating-ip-pools:list", {"project_id": r.ctx.project_id})
    return {"floating_ip_pools": [{"name": p} for p in service.pools(r.ctx)]}
