"""/servers/{id}/os-virtual-interfaces: a server's NICs, each its id and MAC, and from
2.12 its network (net_id); 2.1-2.43, 404 from 2.44 as Nova. limit and offset page the
list as Nova's common.limited. The work is in compute_api/service."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api import service
from compute_api.common import MAX_LIMIT, Req, query_params, req
from compute_api.servers import get_instance, target
from stratus import exception

router = APIRouter(prefix="/v2.1/servers/{server_id}/os-virtual-interfaces")
P = "os_compute_api:os-virtual-interfaces"


def _paging(r: Req) -> tuple[int, int]:
    """Nova's common.limited: offset and limit, non-negative integers (limit at most
    MAX_LIMIT; 0 or absent: MAX_LIMIT)."""
    values = []
    for name in ("offset", "limit"):
        raw = r.query.get(name, "0")
        try:
            value = int(raw)
        except ValueError:
            raise exception.ValidationError(reason=f"{name} param must be an integer") \
                from None
        if value < 0:
            raise exception.ValidationError(reason=f"{name} param must be positive")
        values.append(value)
    offset, limit = values
    return offset, min(limit or MAX_LIMIT, MAX_LIMIT)


@router.get("")
@query_params("limit", "offset")
def index(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    if r.at_least(44):
        raise exception.NotFound("The resource could not be found.")
    inst = get_instance(r, server_id)
    r.authorize(P, target(inst))
    offset, limit = _paging(r)
    items = []
    for vif in service.virtual_interfaces(r.ctx, inst)[offset:offset + limit]:
        item = {"id": vif["id"], "mac_address": vif["mac_address"]}
        if r.at_least(12):
            item["net_id"] = vif["net_id"]
        items.append(item)
    return {"virtual_interfaces": items}
