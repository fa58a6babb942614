"""Service liveness from the `last_seen_up` column of the services table (its owner, the
registry, sets it on every report)."""
from __future__ import annotations

import datetime
from typing import Any

from stratus.config import CONF
from stratus.context import RequestContext
from stratus.servicegroup.base import ServiceGroupDriver, registry


class DbDriver(ServiceGroupDriver):
    def report(self, ctx: RequestContext, host: str, binary: str, topic: str) -> None:
        registry().record(ctx, host, binary, topic)

    def up_until(self, service: dict[str, Any]) -> float:
        seen = service.get("last_seen_up")
        if service.get("forced_down") or not seen:
            return 0.0
        last = datetime.datetime.fromisoformat(seen).replace(tzinfo=datetime.timezone.utc)
        return last.timestamp() + CONF.service_down_time
