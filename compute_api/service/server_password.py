"""The password a server's guest posted to the metadata service (os-server-password)."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from compute_api.service.servers import owner_filter
from stratus.context import RequestContext


def server_password(ctx: RequestContext, inst: dict[str, Any]) -> str:
    return str(conductor.instance_password_get(ctx, instance_uuid=inst["uuid"],
                                               project_id=owner_filter(ctx)))


def clear_server_password(ctx: RequestContext, inst: dict[str, Any]) -> None:
    conductor.instance_password_clear(ctx, instance_uuid=inst["uuid"],
                                      project_id=owner_filter(ctx))
