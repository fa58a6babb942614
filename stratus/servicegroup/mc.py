"""Liveness in memcached (seed 5.4.12): each report sets a key that expires after
service_down_time; a service is up while its key exists. The database sees one write
per service start instead of one per report."""
from __future__ import annotations

import logging
import time
from typing import Any

from pymemcache.client.hash import HashClient

from stratus.config import CONF
from stratus.context import RequestContext
from stratus.servicegroup.base import ServiceGroupDriver, registered

LOG = logging.getLogger(__name__)


def _key(host: str, binary: str) -> str:
    # memcached keys may not hold spaces or control characters.
    return f"stratus-sg/{binary}/{host}".replace(" ", "_")


class McDriver(ServiceGroupDriver):
    def __init__(self) -> None:
        servers = []
        for item in CONF.memcache.servers:
            host, _, port = item.rpartition(":")
            servers.append((host, int(port)))
        # Pooled: report threads, the scheduler and the API share this client.
        self.client = HashClient(servers, connect_timeout=2, timeout=2, use_pooling=True,
                                 ignore_exc=False, retry_attempts=1, dead_timeout=1)
        self._known: set[tuple[str, str]] = set()

    def report(self, ctx: RequestContext, host: str, binary: str, topic: str) -> None:
        registered(ctx, host, binary, topic, self._known)
        # noreply=False: the report counts only once memcached has stored it.
        self.client.set(_key(host, binary), repr(time.time()),
                        expire=CONF.service_down_time, noreply=False)

    def up_until(self, service: dict[str, Any]) -> float:
        return self.up_until_many([service])[0]

    def up_until_many(self, services: list[dict[str, Any]]) -> list[float]:
        keys = [_key(s["host"], s["binary"]) for s in services]
        try:
            found = self.client.get_many(keys) if keys else {}
        except Exception as e:  # memcached gone: nobody can be shown up
            LOG.warning("memcached unreachable, services count as down: %r", e)
            found = {}
        out = []
        for service, key in zip(services, keys):
            seen = found.get(key)
            if service.get("forced_down") or seen is None:
                out.append(0.0)
            else:
                out.append(float(seen) + CONF.service_down_time)
        return out

    def leave(self, host: str, binary: str) -> None:
        try:
            self.client.delete(_key(host, binary), noreply=False)
        except Exception:
            LOG.debug("could not remove the memcached key of %s", binary, exc_info=True)
