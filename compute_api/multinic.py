"""The server actions addFixedIp and removeFixedIp (nova-network's multinic, up to 2.43;
404 from 2.44, as Nova): a server gets a further NIC with a fixed IP on a network, or
loses one of its fixed IPs with its NIC. The work is in compute_api/service."""
from __future__ import annotations

from typing import Any

from fastapi import Response

from compute_api.common import Req
from compute_api.floating_ips import until_2_43
from compute_api.schemas import networks as schemas
from compute_api.server_actions import action, target
from compute_api.service import networks as service
from stratus.api import validation

P = "os_compute_api:os-multinic:%s"


@action("addFixedIp")
@until_2_43
@validation.schema(schemas.add_fixed_ip)
def add_fixed_ip(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize(P % "add", target(inst))
    service.add_fixed_ip(r.ctx, inst, body["addFixedIp"]["networkId"])
    return Response(status_code=202)


@action("removeFixedIp")
@until_2_43
@validation.schema(schemas.remove_fixed_ip)
def remove_fixed_ip(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize(P % "remove", target(inst))
    service.remove_fixed_ip(r.ctx, inst, body["removeFixedIp"]["address"])
    return Response(status_code=202)
