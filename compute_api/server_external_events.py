"""/os-server-external-events: other services (the network service, volumes) tell the
compute service what happened to a server's ports or volumes. Each event is answered on
its own: 200 accepted (handed to the server's compute agent), 400 a tag it needs is
missing, 404 no such server, 422 the server has no host yet; the whole answer is 207
when any event was refused. The work is in compute_api/service."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from compute_api import service
from compute_api.common import Req, req
from compute_api.schemas import external_events as schemas
from stratus.api import validation

router = APIRouter(prefix="/v2.1/os-server-external-events")


@router.post("")
@validation.schema(schemas.create_v20, "2.0", "2.50")
@validation.schema(schemas.create_v251, "2.51", "2.75")
@validation.schema(schemas.create_v276, "2.76", "2.81")
@validation.schema(schemas.create_v282, "2.82", "2.92")
@validation.schema(schemas.create_v293, "2.93")
def create(body: Any = Body(None), r: Req = Depends(req)) -> JSONResponse:
    r.authorize("os_compute_api:os-server-external-events:create", {})
    answered = service.deliver_external_events(r.ctx, body["events"])
    refused = any(event["code"] != 200 for event in answered)
    return JSONResponse({"events": answered}, status_code=207 if refused else 200)
