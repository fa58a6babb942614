"""Liveness in ZooKeeper (seed 5.4.12): each service keeps an ephemeral node
<sg_prefix>/<binary>/<host> in this process's ZooKeeper session. The node goes when the
service leaves or when its process dies and the session times out (service_down_time),
so no report has to be missed first."""
from __future__ import annotations

import logging
import time
from typing import Any

from kazoo.client import KazooClient
from kazoo.exceptions import NodeExistsError, NoNodeError

from stratus.config import CONF
from stratus.context import RequestContext
from stratus.servicegroup.base import ServiceGroupDriver, registered

LOG = logging.getLogger(__name__)


class ZkDriver(ServiceGroupDriver):
    def __init__(self) -> None:
        self.client = KazooClient(hosts=CONF.zookeeper.address,
                                  timeout=float(CONF.service_down_time))
        self._started = False
        self._known: set[tuple[str, str]] = set()

    def _connected(self) -> KazooClient:
        if not self._started:
            self.client.start(timeout=10)
            self._started = True
        return self.client

    def _path(self, host: str, binary: str = "") -> str:
        return f"{CONF.zookeeper.sg_prefix}/{binary}/{host}" if binary else \
            f"{CONF.zookeeper.sg_prefix}/{host}"

    def report(self, ctx: RequestContext, host: str, binary: str, topic: str) -> None:
        registered(ctx, host, binary, topic, self._known)
        client = self._connected()
        path = self._path(host, binary)
        value = repr(time.time()).encode()
        try:
            client.set(path, value)
        except NoNodeError:  # first report, or the session expired and took the node
            client.ensure_path(self._path(binary))
            try:
                client.create(path, value, ephemeral=True)
            except NodeExistsError:
                client.set(path, value)

    def up_until(self, service: dict[str, Any]) -> float:
        return self.up_until_many([service])[0]

    def up_until_many(self, services: list[dict[str, Any]]) -> list[float]:
        members: dict[str, set[str]] = {}
        try:
            client = self._connected()
            for binary in {s["binary"] for s in services}:
                try:
                    members[binary] = set(client.get_children(self._path(binary)))
                except NoNodeError:
                    members[binary] = set()
        except Exception as e:  # ZooKeeper gone: nobody can be shown up
            LOG.warning("ZooKeeper unreachable, services count as down: %s", e)
            return [0.0] * len(services)
        # Up "now": the node vanishes within service_down_time of the process dying.
        horizon = time.time() + CONF.report_interval
        return [0.0 if s.get("forced_down") or s["host"] not in members[s["binary"]]
                else horizon for s in services]

    def leave(self, host: str, binary: str) -> None:
        if not self._started:
            return
        try:
            self.client.delete(self._path(host, binary))
        except Exception:
            LOG.debug("could not remove the ZooKeeper node of %s", binary, exc_info=True)

    def close(self) -> None:
        if self._started:
            self.client.stop()
            self.client.close()
            self._started = False
