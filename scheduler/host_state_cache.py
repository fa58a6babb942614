"""Host states kept between requests, so a placement does not read every host first.

The cache is refreshed from the conductor (host states and aggregates) when it is older than
`[scheduler] host_state_ttl`, when the conductor announces a host change (fanout), or on
demand before the scheduler declares that no host fits. Placements are consumed in it, so
requests served from the cache see each other.
"""
from __future__ import annotations

import threading
import time

from conductor.rpcapi.scheduling import SchedulingAPI
from scheduler.host_state import HostState, host_states
from stratus.config import CONF
from stratus.context import RequestContext


class HostStateCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hosts: list[HostState] = []
        self._loaded_at = 0.0

    def get(self, ctx: RequestContext, fresh: bool = False) -> tuple[list[HostState], bool]:
        """The host states, and whether they were just read from the conductor."""
        with self._lock:
            stale = time.monotonic() - self._loaded_at > CONF.scheduler.host_state_ttl
            if fresh or stale or not self._hosts:
                self._hosts = _read(ctx)
                self._loaded_at = time.monotonic()
                return self._hosts, True
            return self._hosts, False

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = 0.0


def _read(ctx: RequestContext) -> list[HostState]:
    conductor = SchedulingAPI.get()
    return host_states(conductor.host_states(ctx), conductor.aggregate_list(ctx))
