"""A running RPC service: its oslo.messaging server plus its state reports."""
from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from stratus import exception, rpc
from stratus.config import CONF
from stratus.context import get_admin_context
from stratus.servicegroup import get_driver, registry

LOG = logging.getLogger(__name__)


class Background(Protocol):
    """Work a service runs beside its RPC servers for as long as it runs (a periodic
    task, for one)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class Service:
    def __init__(self, binary: str, topic: str, host: str, endpoints: list[Any],
                 report: bool = True, extra_topics: dict[str, list[Any]] | None = None,
                 wait_for_registry: bool = True,
                 background: Sequence[Background] = ()) -> None:
        """`extra_topics`: further topics this service serves, each with its endpoints.
        `wait_for_registry`: wait at start until the service registry answers (every
        service but the registry itself, the conductor). `background`: started once the
        RPC servers are, stopped before they are."""
        self.binary = binary
        self.topic = topic
        self.host = host
        topics = {topic: endpoints, **(extra_topics or {})}
        self.endpoints = list({id(e): e for eps in topics.values() for e in eps}.values())
        self.background = list(background)
        self.report_enabled = report
        self.wait_for_registry = wait_for_registry
        # One RPC server (and executor) per topic.
        self._servers = [rpc.get_server(t, host, eps) for t, eps in topics.items()]
        self._stop = threading.Event()
        self._reporter: threading.Thread | None = None
        self.servicegroup = get_driver()

    def start(self) -> None:
        if self.wait_for_registry:
            self._wait_for_registry()
        for server in self._servers:
            server.start()
        for endpoint in self.endpoints:
            hook = getattr(endpoint, "init_host", None)
            if hook is not None:
                hook()
        for task in self.background:
            task.start()
        if self.report_enabled:
            self._report_once()  # visible in os-services as soon as start() returns
            self._reporter = threading.Thread(target=self._report_loop,
                                              name=f"report-{self.binary}-{self.host}",
                                              daemon=True)
            self._reporter.start()

    def _wait_for_registry(self) -> None:
        """Services start in any order: wait (as Nova's do) until a conductor (the
        registry) answers, since a call sent before any conductor listens is lost, not
        queued."""
        target = registry()
        waited = 0
        while not self._stop.is_set():
            try:
                target.ping(get_admin_context())
                return
            except exception.ServiceUnavailable:
                waited += 1
                if waited % 5 == 1:
                    LOG.warning("%s on %s is waiting for a %s", self.binary, self.host,
                                target.name)
                self._stop.wait(0.5)

    def report_state(self) -> None:
        self.servicegroup.report(get_admin_context(), self.host, self.binary, self.topic)

    def _report_once(self) -> None:
        try:
            self.report_state()
        except Exception as e:  # keep reporting through outages
            LOG.warning("%s on %s could not report its state: %s", self.binary, self.host, e)

    def _report_loop(self) -> None:
        while not self._stop.wait(CONF.report_interval):
            self._report_once()

    def stop(self) -> None:
        """Stop taking messages; in-flight ones finish (see `wait`)."""
        self._stop.set()
        if self.report_enabled:
            self.servicegroup.leave(self.host, self.binary)
        for task in reversed(self.background):
            task.stop()
        for endpoint in self.endpoints:
            hook = getattr(endpoint, "cleanup_host", None)
            if hook is not None:
                hook()
        for server in self._servers:
            try:
                server.stop()
            except Exception:  # stopping twice or a dead transport is harmless here
                LOG.debug("RPC server of %s stopped with an error", self.binary,
                          exc_info=True)

    def wait(self) -> None:
        """Wait for in-flight messages and the state reporter to finish. The RPC servers
        (one per topic) are waited for side by side: each notices its stop only after an
        idle second (see stop_all)."""
        waiters = [threading.Thread(target=self._wait_server, args=(server,))
                   for server in self._servers]
        for waiter in waiters:
            waiter.start()
        for waiter in waiters:
            waiter.join()
        if self._reporter is not None:
            self._reporter.join(timeout=5)

    def _wait_server(self, server: Any) -> None:
        try:
            server.wait()
        except Exception:
            LOG.debug("RPC server of %s ended with an error", self.binary, exc_info=True)


def stop_all(services: list[Service]) -> None:
    """Stop in reverse start order, then wait for all at once.

    oslo.messaging's executor threads notice a shutdown only after an idle
    second, so the waits run side by side rather than one after another.
    """
    for service in reversed(services):
        service.stop()
    waiters = [threading.Thread(target=s.wait) for s in services]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        waiter.join()
