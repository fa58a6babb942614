"""oslo.messaging plumbing shared by every service.

A service's wire contract is one `RPCAPI` subclass in its `rpcapi.py`: the
topic, the version and a table of its methods (name -> "call", "cast" or
"fanout", a cast to every server of the topic).
Callers use it as a client; the service's endpoints must implement every
method in the table (checked by tests/test_rpc_contracts.py).
"""
from __future__ import annotations

import threading
from typing import Any, ClassVar

import oslo_messaging as messaging
from oslo_config import cfg

from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext

ALLOWED_EXMODS = ["stratus.exception"]

_transport: messaging.Transport | None = None
_transport_lock = threading.Lock()


def get_transport(conf: cfg.ConfigOpts = CONF) -> messaging.Transport:
    global _transport
    with _transport_lock:
        if _transport is None:
            _transport = messaging.get_rpc_transport(
                conf, allowed_remote_exmods=ALLOWED_EXMODS)
        return _transport


def cleanup() -> None:
    global _transport
    with _transport_lock:
        if _transport is not None:
            _transport.cleanup()
        _transport = None


class ContextSerializer(messaging.NoOpSerializer):
    """Carries a RequestContext across the bus; payloads are plain JSON."""

    def serialize_context(self, ctxt: Any) -> dict[str, Any]:
        if isinstance(ctxt, RequestContext):
            return ctxt.to_dict()
        return dict(ctxt or {})

    def deserialize_context(self, ctxt: dict[str, Any]) -> RequestContext:
        return RequestContext.from_dict(ctxt or {})


def get_server(topic: str, server: str, endpoints: list[Any],
               fanout: bool = False) -> messaging.MessageHandlingServer:
    target = messaging.Target(topic=topic, server=server, fanout=fanout)
    return messaging.get_rpc_server(
        get_transport(), target, endpoints, serializer=ContextSerializer(),
        access_policy=messaging.DefaultRPCAccessPolicy)


class RPCAPI:
    """Client side of one service's RPC API, built from its method table."""

    TOPIC: ClassVar[str]
    VERSION: ClassVar[str]
    METHODS: ClassVar[dict[str, str]]

    def __init__(self, server: str | None = None,
                 timeout: float | None = None) -> None:
        target = messaging.Target(topic=self.TOPIC, version=self.VERSION,
                                  server=server)
        self._client = messaging.get_rpc_client(
            get_transport(), target, serializer=ContextSerializer(),
            timeout=timeout or CONF.rpc_call_timeout)

    def _send(self, ctxt: RequestContext, method: str, server: str | None,
              kwargs: dict[str, Any]) -> Any:
        kind = self.METHODS[method]
        client = self._client.prepare(server=server) if server else self._client
        if kind == "fanout":
            client = self._client.prepare(fanout=True)
        try:
            if kind in ("cast", "fanout"):
                client.cast(ctxt, method, **kwargs)
                return None
            return client.call(ctxt, method, **kwargs)
        except messaging.MessagingTimeout as e:
            raise exception.ServiceUnavailable(
                reason=f"The {self.TOPIC} service did not answer '{method}' in "
                       f"time; try again shortly.") from e
        except messaging.MessageDeliveryFailure as e:
            raise exception.ServiceUnavailable(
                reason=f"The {self.TOPIC} service cannot be reached.") from e

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_") or method not in self.METHODS:
            raise AttributeError(method)

        def invoke(ctxt: RequestContext, *, _server: str | None = None,
                   **kwargs: Any) -> Any:
            return self._send(ctxt, method, _server, kwargs)
        invoke.__name__ = method
        return invoke


class SharedClient:
    """A module-level client that follows the process's current transport."""

    def __init__(self, api: type[RPCAPI]) -> None:
        self._api_class = api
        self._client: RPCAPI | None = None
        self._transport: messaging.Transport | None = None

    def __getattr__(self, method: str) -> Any:
        transport = get_transport()
        if self._client is None or self._transport is not transport:
            self._client, self._transport = self._api_class(), transport
        return getattr(self._client, method)


def endpoint_target(api: type[RPCAPI]) -> messaging.Target:
    """The `target` attribute a service's endpoint class declares."""
    return messaging.Target(version=api.VERSION)
