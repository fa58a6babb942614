"""External events about servers (port plugged, network changed, volume extended, ...):
each answered, the accepted ones handed to the compute agent of the server's host."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from compute_api.schemas.external_events import TAG_REQUIRED
from compute_api.service.clients import compute, conductor
from stratus.context import RequestContext


def _answer(event: dict[str, Any], host: str | None, found: bool) -> tuple[int, str]:
    if not found:
        return 404, "failed"
    if event["name"] in TAG_REQUIRED and event.get("tag") is None:
        return 400, "failed"
    if not host:
        return 422, "failed"
    return 200, "completed"


def deliver_external_events(ctx: RequestContext,
                            events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as answered (each with its code and status), once the accepted ones
    are cast, one message per host."""
    uuids = sorted({e["server_uuid"] for e in events})
    hosts = {i["uuid"]: i["host"] for i in conductor.instance_list(
        ctx, filters={"uuids": uuids})}
    answered, by_host = [], defaultdict(list)
    for event in events:
        uuid = event["server_uuid"]
        code, status = _answer(event, hosts.get(uuid), uuid in hosts)
        answered.append({**event, "code": code, "status": status})
        if code == 200:
            by_host[hosts[uuid]].append({"server_uuid": uuid, "name": event["name"],
                                         "tag": event.get("tag"),
                                         "status": event.get("status", "completed")})
    for host, accepted in by_host.items():
        compute.external_instance_event(ctx, host=host, events=accepted)
    return answered
