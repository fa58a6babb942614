"""Service liveness from the `last_seen_up` column the conductor keeps."""
from __future__ import annotations

import datetime
from typing import Any

from stratus.config import CONF
from stratus.context import RequestContext
from stratus.servicegroup.base import ServiceGroupDriver


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class DbDriver(ServiceGroupDriver):
    def report(self, ctx: RequestContext, host: str, binary: str, topic: str) -> None:
        from conductor.rpcapi import ConductorAPI
        ConductorAPI().service_report(ctx, host=host, binary=binary, topic=topic)

    def is_up(self, service: dict[str, Any]) -> bool:
        if service.get("forced_down"):
            return False
        seen = service.get("last_seen_up")
        if not seen:
            return False
        last = datetime.datetime.fromisoformat(seen)
        return (_utcnow() - last).total_seconds() <= CONF.service_down_time
