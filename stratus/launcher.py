"""Starting services: RPC services on their threads, REST APIs on uvicorn."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from stratus.api import errors
from stratus.api.input_guard import MAX_HEAD_BYTES, too_large_message
from stratus.config import CONF
from stratus.service import Service, stop_all

LOG = logging.getLogger(__name__)


def conductor_service() -> Service:
    from conductor.manager import endpoints
    from conductor.rpcapi import ConductorSchedulingAPI
    return Service("stratus-conductor", "conductor", CONF.host, endpoints(),
                   extra_topics=(ConductorSchedulingAPI.TOPIC,))


def scheduler_service() -> Service:
    from scheduler.manager import SchedulerManager
    return Service("stratus-scheduler", "scheduler", CONF.host, [SchedulerManager()])


def compute_host_names() -> list[str]:
    if CONF.compute.virt_driver == "libvirt":
        return [CONF.host]
    return [CONF.host] + [f"{CONF.host}-{i}" for i in range(2, CONF.fake.host_count + 1)]


def compute_services() -> list[Service]:
    from compute_agent.manager import ComputeManager
    return [Service("stratus-compute", "compute", host, [ComputeManager(host)])
            for host in compute_host_names()]


def api_specs(names: tuple[str, ...] = ("identity", "image", "compute")) -> list[
        tuple[str, Any, str, int]]:
    specs = []
    if "identity" in names:
        from identity_api.app import create_app as identity_app
        specs.append(("identity", identity_app(), CONF.identity.listen, CONF.identity.port))
    if "image" in names:
        from image_api.app import create_app as image_app
        specs.append(("image", image_app(), CONF.image.listen, CONF.image.port))
    if "compute" in names:
        from compute_api.app import create_app as compute_app
        specs.append(("compute", compute_app(), CONF.compute_api.listen,
                      CONF.compute_api.port))
    return specs


class _JSONErrorProtocol(H11Protocol):
    """uvicorn's h11 protocol, refusing a request it cannot parse (a head still
    incomplete past MAX_HEAD_BYTES, malformed lines) with a JSON error body in the
    API's dialect instead of uvicorn's plain text."""
    style = "nova"

    def send_400_response(self, msg: str) -> None:
        code, message = 400, "Invalid HTTP request received."
        if len(self.conn.trailing_data[0]) > MAX_HEAD_BYTES:
            code, message = 431, too_large_message()
        body = errors.encode(errors.error_body(self.style, code, message))
        headers = [(b"content-type", b"application/json"), (b"connection", b"close"),
                   (b"content-length", str(len(body)).encode())]
        for event in (h11.Response(status_code=code, headers=headers),
                      h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


def _protocol(style: str) -> type[H11Protocol]:
    return type(f"{style.title()}ErrorProtocol", (_JSONErrorProtocol,), {"style": style})


def _config(name: str, app: Any, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                          access_log=False,
                          http=_protocol("keystone" if name == "identity" else "nova"),
                          h11_max_incomplete_event_size=MAX_HEAD_BYTES)


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the launcher."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def serve_apis(specs: list[tuple[str, Any, str, int]],
               stop: threading.Event | None = None) -> None:
    """Serve every API in this thread until SIGINT/SIGTERM or `stop` is set."""
    servers = [_QuietServer(_config(*spec)) for spec in specs]

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def shutdown() -> None:
            for server in servers:
                server.should_exit = True
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, shutdown)
        if stop is not None:
            loop.run_in_executor(None, lambda: (stop.wait(), loop.call_soon_threadsafe(shutdown)))
        for (name, _app, host, port) in specs:
            LOG.info("%s API listening on http://%s:%s", name, host, port)
        await asyncio.gather(*(s.serve() for s in servers))

    asyncio.run(main())


def run_services(services: list[Service], apis: tuple[str, ...] = ()) -> None:
    """Start `services`, serve `apis` (or wait for a signal), then stop all."""
    for service in services:
        service.start()
    try:
        if apis:
            serve_apis(api_specs(apis))
        else:
            done = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: done.set())
            done.wait()
    finally:
        stop_all(services)
