"""External events about servers (port plugged, network changed, volume extended, ...):
each answered, the accepted ones handed to the compute agent of the server's host. A
2.76 power-update (tag POWER_ON or POWER_OFF) starts or stops the server, recorded as a
start or stop action; one the server's state makes meaningless changes nothing."""
from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from compute_api.schemas.external_events import TAG_REQUIRED
from compute_api.service.actions import POWER_ACTIONS, start_power_action
from compute_api.service.clients import compute, conductor
from stratus import exception
from stratus.context import RequestContext

LOG = logging.getLogger(__name__)
POWER_UPDATES = {"POWER_ON": "os-start", "POWER_OFF": "os-stop"}


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
    found = {i["uuid"]: i for i in conductor.instance_list(ctx, filters={"uuids": uuids})}
    hosts = {uuid: inst["host"] for uuid, inst in found.items()}
    answered, by_host = [], defaultdict(list)
    for event in events:
        uuid = event["server_uuid"]
        code, status = _answer(event, hosts.get(uuid), uuid in hosts)
        answered.append({**event, "code": code, "status": status})
        if code == 200 and event["name"] == "power-update":
            _power_update(ctx, found[uuid], event["tag"])
        elif code == 200:
            by_host[hosts[uuid]].append({"server_uuid": uuid, "name": event["name"],
                                         "tag": event.get("tag"),
                                         "status": event.get("status", "completed")})
    for host, accepted in by_host.items():
        compute.external_instance_event(ctx, host=host, events=accepted)
    return answered


def _power_update(ctx: RequestContext, inst: dict[str, Any], tag: str) -> None:
    """Start or stop the server as the event says; a no-op (logged) when its state does
    not allow it (already there, or busy), as in Nova."""
    action = POWER_UPDATES.get(tag)
    if action is None:
        LOG.warning("Ignoring power-update %s for %s: not POWER_ON or POWER_OFF", tag,
                    inst["uuid"])
        return
    try:
        start_power_action(ctx.elevated(), inst, POWER_ACTIONS[action])
    except exception.Conflict as e:
        LOG.info("The power-update %s event for %s changes nothing: %s", tag, inst["uuid"],
                 e.message)
