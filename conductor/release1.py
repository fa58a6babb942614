"""Serves the previous release's conductor contract (conductor/rpcapi/release1.py) on topic
`conductor`: each method goes to the domain endpoint that now owns it, with the payloads
that release sent as plain dicts turned into the typed payloads the domains take."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import oslo_messaging as messaging

from conductor.rpcapi import release1
from stratus.objects.request_spec import Destination, RequestSpec

Method = Callable[..., Any]


def _spec(value: dict[str, Any] | RequestSpec) -> RequestSpec:
    return value if isinstance(value, RequestSpec) else RequestSpec.model_validate(value)


def _instances_create(method: Method) -> Method:
    def adapted(ctx: Any, request_spec: dict[str, Any], **kwargs: Any) -> Any:
        return method(ctx, request_spec=_spec(request_spec), **kwargs)
    return adapted


def _schedule_and_build(method: Method) -> Method:
    def adapted(ctx: Any, request_spec: dict[str, Any], excluded_hosts: Any = None,
                **kwargs: Any) -> Any:
        spec = _spec(request_spec)
        if excluded_hosts:
            spec.retry_hosts = list(excluded_hosts)
        return method(ctx, request_spec=spec, **kwargs)
    return adapted


def _build_failed(method: Method) -> Method:
    def adapted(ctx: Any, alternates: list[dict[str, str]], **kwargs: Any) -> Any:
        return method(ctx, alternates=[Destination.model_validate(a) for a in alternates],
                      **kwargs)
    return adapted


ADAPTERS: dict[str, Callable[[Method], Method]] = {
    "instances_create": _instances_create,
    "schedule_and_build_instances": _schedule_and_build,
    "instance_build_failed": _build_failed,
}


class Release1Endpoint:
    target = messaging.Target(version=release1.VERSION)

    def __init__(self, domains: dict[str, list[Any]]) -> None:
        self._methods: dict[str, Method] = {}
        for name, domain in release1.METHODS.items():
            owner = next(e for e in domains[domain] if hasattr(e, name))
            method = getattr(owner, name)
            self._methods[name] = ADAPTERS[name](method) if name in ADAPTERS else method

    def __getattr__(self, name: str) -> Method:
        try:
            return self.__dict__["_methods"][name]
        except KeyError:
            raise AttributeError(name) from None
