"""Starting services: RPC services on their threads, REST APIs on uvicorn."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import stat
import threading
from collections.abc import Iterator
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from stratus import plugins
from stratus.api import errors
from stratus.api.input_guard import MAX_HEAD_BYTES, too_large_message
from stratus.cmd import prepare
from stratus.config import CONF
from stratus.plugins import ServicePlugin
from stratus.service import Background, Service, stop_all

LOG = logging.getLogger(__name__)


ApiSpec = tuple[str, Any, str, int]
UNIX = "unix:"  # the host of an ApiSpec served on a unix socket
UNIX_SOCKET = "stratus.unix_socket"  # in the ASGI scope of its requests


def rpc_services(names: list[str]) -> list[Service]:
    """The RPC services of the named plugins, in the order named."""
    return _rpc_services([plugins.load(name) for name in names])


def _rpc_services(found: list[ServicePlugin]) -> list[Service]:
    return [service for plugin in found if plugin.rpc_services is not None
            for service in plugin.rpc_services()]


def api_specs(found: list[ServicePlugin]) -> list[ApiSpec]:
    """(name, app, host, port) of each plugin that serves a REST API; an app served on a
    unix socket too has a second spec, its host `unix:<path>` and port 0."""
    specs: list[ApiSpec] = []
    for plugin in found:
        if plugin.app is None or plugin.listen is None:
            continue
        app = plugin.app()
        specs.append((plugin.name, app, *plugin.listen()))
        path = plugin.unix_socket() if plugin.unix_socket is not None else None
        if path:
            specs.append((plugin.name, on_unix_socket(app), UNIX + path, 0))
    return specs


def on_unix_socket(app: Any) -> Any:
    """`app` as served on a unix socket: its requests carry UNIX_SOCKET in their scope
    (a handler may trust what only local processes can send)."""
    async def marked(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await app({**scope, UNIX_SOCKET: True}, receive, send)
    marked.state = getattr(app, "state", None)  # type: ignore[attr-defined]
    return marked


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
    style = getattr(getattr(app, "state", None), "error_style", "nova")
    where: dict[str, Any] = {"host": host, "port": port}
    if host.startswith(UNIX):
        where = {"uds": _fresh_socket(host.removeprefix(UNIX))}
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from any local
    # client as the client's address.
    return uvicorn.Config(app, **where, log_level="warning", lifespan="off",
                          access_log=False, http=_protocol(style), proxy_headers=False,
                          h11_max_incomplete_event_size=MAX_HEAD_BYTES,
                          timeout_keep_alive=CONF.wsgi.keep_alive_timeout)


def _fresh_socket(path: str) -> str:
    """A unix socket path to listen on, a socket left by an earlier run removed. uvicorn
    makes the socket itself connectable by anyone (0666): its folder decides who may
    connect, so a missing one is made for this user alone (0700), an open one refused."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder, mode=0o700)
    elif os.stat(folder).st_mode & 0o077:
        raise RuntimeError(f"{folder} is open to other users, who could then connect to "
                           f"{path}: chmod 700 it, or put the socket in a folder of its own")
    if os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode):
        os.unlink(path)
    return path


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the launcher."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def serve_apis(specs: list[ApiSpec],
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
            LOG.info("%s listening on %s", name, host if host.startswith(UNIX)
                     else f"http://{host}:{port}")
        await asyncio.gather(*(s.serve() for s in servers))

    asyncio.run(main())


def background_tasks(found: list[ServicePlugin]) -> list[Background]:
    """The work the plugins run beside their REST APIs (not started)."""
    return [task for plugin in found if plugin.background is not None
            for task in plugin.background()]


def run_services(services: list[Service], apis: list[ApiSpec] | None = None,
                 background: list[Background] | None = None) -> None:
    """Start `services`, then `background`, serve `apis` (or wait for a signal), then stop
    all."""
    for service in services:
        service.start()
    started: list[Background] = []
    try:
        for task in background or []:
            task.start()
            started.append(task)
        if apis:
            serve_apis(apis)
        else:
            done = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: done.set())
            done.wait()
    finally:
        for task in reversed(started):
            task.stop()
        stop_all(services)


def run(found: list[ServicePlugin]) -> None:
    """Run the plugins' RPC services and serve their APIs in this process until a signal."""
    run_services(_rpc_services(found), api_specs(found), background_tasks(found))


def main(names: list[str]) -> None:
    """A service's console script: read the config, then run the named plugins."""
    prepare()
    run([plugins.load(name) for name in names])
