"""/servers/{id}/os-virtual-interfaces: a server's NICs, each its id and MAC, and from
2.12 its network (net_id); 2.1-2.43, 404 from 2.44 as Nova. limit and offset page the
list as Nova's common.limited. The work is in compute_api/service."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api import service
from compute_api.common import Req, offset_and_limit, query_params, req
from compute_api.servers import get_instance, target
from stratus import exception

router = APIRouter(prefix="/v2.1/servers/{server_id}/os-virtual-interfaces")
P = "os_compute_api:os-virtual-interfaces"


@router.get("")
@query_params("limit", "offset")
def index(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    if r.at_least(44):
        raise exception.NotFound("The resource could not be found.")
    inst = get_instance(r, server_id)
    r.authorize(P, target(inst))
    offset, limit = offset_and_limit(r)
    items = []
    for vif in service.virtual_interfaces(r.ctx, inst)[offset:offset + limit]:
        item = {"id": vif["id"], "mac_address": vif["mac_address"]}
        if r.at_least(12):
            item["net_id"] = vif["net_id"]
        items.append(item)
    return {"virtual_interfaces": items}
