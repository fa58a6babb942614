"""GET /servers/{id}/topology (2.78): the guest's NUMA topology. Flavors here define no
NUMA placement (no hw:numa_nodes or CPU pinning yet), so a server has no NUMA nodes to
show: an empty list and no page size, as Nova answers for such a server."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api.common import Req, req
from compute_api.servers import get_instance, target
from stratus import exception

router = APIRouter(prefix="/v2.1/servers/{server_id}/topology")


@router.get("")
def show(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    if not r.at_least(78):
        raise exception.NotFound("The resource could not be found.")
    inst = get_instance(r, server_id)
    r.authorize("compute:server:topology:index", target(inst))
    return {"nodes": [], "pagesize_kb": None}
