"""/servers/{id}/os-server-password: the password the server's guest posted to the
metadata service (encrypted by the guest with the server's key pair), and clearing it so
that the guest may post another. The work is in compute_api/service."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from compute_api import service
from compute_api.common import Req, req
from compute_api.servers import get_instance, target

router = APIRouter(prefix="/v2.1/servers/{server_id}/os-server-password")
P = "os_compute_api:os-server-password:%s"


def _server(r: Req, server_id: str, rule: str) -> dict[str, Any]:
    inst = get_instance(r, server_id)
    r.authorize(P % rule, target(inst))
    return inst


@router.get("")
def show(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    return {"password": service.server_password(r.ctx, _server(r, server_id, "show"))}


@router.delete("", status_code=204)
def clear(server_id: str, r: Req = Depends(req)) -> Response:
    service.clear_server_password(r.ctx, _server(r, server_id, "clear"))
    return Response(status_code=204)
