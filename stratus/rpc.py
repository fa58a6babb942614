"""oslo.messaging plumbing shared by every service, and how RPC contracts are declared.

A service's wire contract is one `RPCAPI` subclass in its rpcapi module: a topic, the
contract's current version, and one declared method per remote call, e.g.

    class SchedulerAPI(RPCAPI):
        TOPIC = "scheduler"
        VERSION = "1.2"

        @call("1.2")
        def select_destinations(self, ctx, *, request_spec: RequestSpec,
                                instance_uuids: list[str]) -> list[list[Destination]]:
            '''Per instance the candidate hosts, best first.'''

The decorator gives each method its kind (call, cast or fanout), the version its current
form needs, the argument that names the server it goes to (`server="host"`), and
`downgrade(version)` adapters that rewrite the arguments for an older peer. A client never
sends a version above `[upgrade_levels] <topic>`: during a rolling upgrade the operator caps
the new services at the old peers' version until every peer runs the new release.
The service's endpoint must implement every declared method with the same arguments
(tests/unit/test_rpc_contracts.py). One client per API per process: `API.get()`.
"""
from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, ClassVar

import oslo_messaging as messaging
from oslo_config import cfg

from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.objects.base import Payload, is_primitive_payload

ALLOWED_EXMODS = ["stratus.exception"]
CALL, CAST, FANOUT = "call", "cast", "fanout"

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


def _to_wire(value: Any) -> Any:
    if isinstance(value, Payload):
        return value.to_primitive()
    if isinstance(value, (list, tuple)):
        return [_to_wire(v) for v in value]
    return value


def _from_wire(value: Any) -> Any:
    # Payloads are arguments, results or list items, never values inside plain dicts, so
    # a dict is checked for the tag only: big listings cost one test per row.
    if isinstance(value, list):
        return [_from_wire(v) for v in value]
    if is_primitive_payload(value):
        return Payload.from_primitive(value)
    return value


class Serializer(messaging.NoOpSerializer):
    """Carries a RequestContext and typed payloads across the bus as JSON primitives."""

    def serialize_entity(self, ctxt: Any, entity: Any) -> Any:
        return _to_wire(entity)

    def deserialize_entity(self, ctxt: Any, entity: Any) -> Any:
        return _from_wire(entity)

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
        get_transport(), target, endpoints, serializer=Serializer(),
        access_policy=messaging.DefaultRPCAccessPolicy)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


class RemoteMethod:
    """One declared RPC method of a contract (see the module docstring)."""

    def __init__(self, fn: Callable[..., Any], kind: str, version: str,
                 server: str | None, timeout: float | None) -> None:
        self.name = fn.__name__
        self.kind = kind
        self.version = version
        self.server_arg = server
        self.timeout = timeout
        self.signature = inspect.signature(fn)
        self.doc = fn.__doc__
        self.downgrades: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = []
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    def downgrade(self, version: str) -> Callable[[Callable[[dict[str, Any]], dict[str, Any]]],
                                                  Callable[[dict[str, Any]], dict[str, Any]]]:
        """Register how to send this call to a peer that speaks only `version`."""
        def register(adapt: Callable[[dict[str, Any]], dict[str, Any]]
                     ) -> Callable[[dict[str, Any]], dict[str, Any]]:
            self.downgrades.append((version, adapt))
            self.downgrades.sort(key=lambda d: _version(d[0]), reverse=True)
            return adapt
        return register

    def payload_parameters(self) -> list[str]:
        """The argument names that go on the wire (not self, the context or the server)."""
        names = list(self.signature.parameters)[2:]
        return [n for n in names if n != self.server_arg]

    def __get__(self, api: "RPCAPI | None", owner: type) -> Any:
        if api is None:
            return self
        return functools.partial(self.send, api)

    def send(self, api: "RPCAPI", ctxt: RequestContext, **kwargs: Any) -> Any:
        # Only what the caller gave goes on the wire: the endpoint's defaults apply to the
        # rest (so a default can be a marker, like "no expected state").
        bound = self.signature.bind(api, ctxt, **kwargs)
        arguments = dict(bound.arguments)
        del arguments[next(iter(self.signature.parameters))]  # self
        arguments.pop(list(self.signature.parameters)[1])      # the context
        server = arguments.pop(self.server_arg) if self.server_arg else None
        version, arguments = self._negotiate(api, arguments)
        return api._send(ctxt, self, version, server, arguments)

    def _negotiate(self, api: "RPCAPI", arguments: dict[str, Any]
                   ) -> tuple[str, dict[str, Any]]:
        if api.can_send_version(self.version):
            return self.version, arguments
        for version, adapt in self.downgrades:
            if api.can_send_version(version):
                return version, adapt(dict(arguments))
        raise exception.RPCVersionTooNew(topic=api.TOPIC, cap=api.version_cap,
                                         method=self.name, version=self.version)


def _declare(kind: str, version: str, server: str | None = None,
             timeout: float | None = None) -> Callable[[Callable[..., Any]], RemoteMethod]:
    def wrap(fn: Callable[..., Any]) -> RemoteMethod:
        return RemoteMethod(fn, kind, version, server, timeout)
    return wrap


def call(version: str, *, server: str | None = None,
         timeout: float | None = None) -> Callable[[Callable[..., Any]], RemoteMethod]:
    """A remote call: the caller waits for the result (or the remote exception)."""
    return _declare(CALL, version, server, timeout)


def cast(version: str, *, server: str | None = None
         ) -> Callable[[Callable[..., Any]], RemoteMethod]:
    """A one-way message to one server of the topic (or the named one)."""
    return _declare(CAST, version, server)


def fanout(version: str) -> Callable[[Callable[..., Any]], RemoteMethod]:
    """A one-way message to every server of the topic."""
    return _declare(FANOUT, version)


class RPCAPI:
    """Client side of one service's RPC API (see the module docstring)."""

    TOPIC: ClassVar[str]
    VERSION: ClassVar[str]
    _shared: ClassVar[dict[type, tuple[tuple[Any, ...], "RPCAPI"]]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self.version_cap: str | None = getattr(CONF.upgrade_levels, self.TOPIC, None)
        target = messaging.Target(topic=self.TOPIC, version=self.VERSION)
        self._client = messaging.get_rpc_client(
            get_transport(), target, serializer=Serializer(),
            timeout=CONF.rpc_call_timeout, version_cap=self.version_cap)

    @classmethod
    def get(cls) -> Any:
        """This process's client of the API (rebuilt if the transport was replaced)."""
        transport = get_transport()
        settings = (transport, getattr(CONF.upgrade_levels, cls.TOPIC, None),
                    CONF.rpc_call_timeout)
        with cls._shared_lock:
            held = cls._shared.get(cls)
            if held is None or held[0] != settings:
                held = cls._shared[cls] = (settings, cls())
            return held[1]

    @classmethod
    def methods(cls) -> dict[str, RemoteMethod]:
        return {name: m for klass in reversed(cls.__mro__)
                for name, m in vars(klass).items() if isinstance(m, RemoteMethod)}

    def can_send_version(self, version: str) -> bool:
        return bool(self._client.can_send_version(version))

    def _send(self, ctxt: RequestContext, method: RemoteMethod, version: str,
              server: str | None, kwargs: dict[str, Any]) -> Any:
        options: dict[str, Any] = {"version": version}
        if server:
            options["server"] = server
        if method.kind == FANOUT:
            options["fanout"] = True
        if method.timeout is not None:
            options["timeout"] = method.timeout
        client = self._client.prepare(**options)
        try:
            if method.kind == CALL:
                return client.call(ctxt, method.name, **kwargs)
            client.cast(ctxt, method.name, **kwargs)
            return None
        except messaging.MessagingTimeout as e:
            raise exception.ServiceUnavailable(
                reason=f"The {self.TOPIC} service did not answer '{method.name}' in "
                       f"time; try again shortly.") from e
        except messaging.MessageDeliveryFailure as e:
            raise exception.ServiceUnavailable(
                reason=f"The {self.TOPIC} service cannot be reached.") from e


class SharedClient:
    """The process's clients of one or more contracts, reached by method name: a call goes
    to the contract that declares the method (names are unique across the contracts)."""

    def __init__(self, *apis: type[RPCAPI]) -> None:
        self._owner = {name: api for api in apis for name in api.methods()}

    def __getattr__(self, method: str) -> Any:
        try:
            api = self.__dict__["_owner"][method]
        except KeyError:
            raise AttributeError(method) from None
        return getattr(api.get(), method)


def endpoint_target(api: type[RPCAPI]) -> messaging.Target:
    """The `target` attribute a service's endpoint class declares."""
    return messaging.Target(version=api.VERSION)
