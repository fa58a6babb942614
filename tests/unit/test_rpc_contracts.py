"""Every RPC contract is a set of declared, versioned methods, and the endpoints that serve
its topic implement exactly those methods with the same arguments."""
from __future__ import annotations

import inspect
from typing import Any

import pytest

from compute_agent.manager import ComputeManager
from compute_agent.rpcapi import ComputeAPI
from conductor import manager as conductor_manager
from conductor.release1 import Release1Endpoint
from conductor.rpcapi import DOMAINS, release1
from conductor.rpcapi.scheduling import SchedulingAPI
from conductor.scheduling import SchedulingEndpoint
from metadata_api.manager import MetadataManager
from metadata_api.rpcapi import MetadataAPI
from network_agent.manager import NetworkManager
from network_agent.rpcapi import NetworkAgentAPI
from scheduler.manager import SchedulerManager
from scheduler.rpcapi import SchedulerAPI
from stratus.config import RPC_TOPICS
from stratus.rpc import RPCAPI, RemoteMethod, _version

HOOKS = {"init_host", "cleanup_host", "target"}

SERVED: list[tuple[type[RPCAPI], list[type]]] = [
    (ComputeAPI, [ComputeManager]),
    (SchedulerAPI, [SchedulerManager]),
    (NetworkAgentAPI, [NetworkManager]),
    (MetadataAPI, [MetadataManager]),
    (SchedulingAPI, [SchedulingEndpoint]),
    *conductor_manager.DOMAINS.values(),
]


def _public(cls: type) -> dict[str, Any]:
    return {name: member for name, member in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_") and name not in HOOKS}


def _arguments(signature: inspect.Signature, skip: int) -> dict[str, bool]:
    """Argument name -> whether it is required, without self, the context and *args."""
    params = list(signature.parameters.values())[skip:]
    return {p.name: p.default is inspect.Parameter.empty for p in params
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


@pytest.mark.parametrize("api,classes", SERVED, ids=lambda v: getattr(v, "__name__", ""))
def test_endpoints_implement_exactly_the_contract(api: type[RPCAPI], classes: list[type]) -> None:
    declared = api.methods()
    implemented: dict[str, Any] = {}
    for cls in classes:
        assert cls.target.version == api.VERSION, f"{cls.__name__} serves another version"
        for name, fn in _public(cls).items():
            assert name not in implemented, f"{name} implemented twice"
            implemented[name] = fn
    assert set(implemented) == set(declared), (
        f"undeclared: {sorted(set(implemented) - set(declared))}; "
        f"unimplemented: {sorted(set(declared) - set(implemented))}")
    for name, method in declared.items():
        wire = {k: v for k, v in _arguments(method.signature, 2).items()
                if k != method.server_arg}
        served = _arguments(inspect.signature(implemented[name]), 2)
        assert wire == served, f"{api.__name__}.{name}: sends {wire}, endpoint takes {served}"


@pytest.mark.parametrize("api", [a for a, _ in SERVED], ids=lambda a: a.__name__)
def test_every_method_is_versioned_within_the_contract(api: type[RPCAPI]) -> None:
    for name, method in api.methods().items():
        assert isinstance(method, RemoteMethod)
        assert _version(method.version) <= _version(api.VERSION), name
        assert method.version.split(".")[0] == api.VERSION.split(".")[0], name
        assert method.doc, f"{api.__name__}.{name} says nothing of what it does"
        for older, _ in method.downgrades:
            assert _version(older) < _version(method.version), name
        for parameter in list(method.signature.parameters.values())[2:]:
            assert parameter.kind is parameter.KEYWORD_ONLY, f"{name}: {parameter.name}"


def test_every_topic_has_an_upgrade_level() -> None:
    topics = {api.TOPIC for api, _ in SERVED} | {release1.TOPIC}
    assert topics == set(RPC_TOPICS)


def test_conductor_method_names_are_unique_across_domains() -> None:
    seen: dict[str, str] = {}
    for api in DOMAINS:
        for name in api.methods():
            assert name not in seen, f"{name} in {api.__name__} and {seen[name]}"
            seen[name] = api.__name__


def test_release1_contract_is_served_by_the_domains() -> None:
    by_domain = {name: [cls() for cls in classes]
                 for name, (_, classes) in conductor_manager.DOMAINS.items()}
    endpoint = Release1Endpoint(by_domain)
    for name, domain in release1.METHODS.items():
        api = conductor_manager.DOMAINS[domain][0]
        assert name in api.methods(), f"release-1 {name} is not in {api.__name__}"
        assert callable(getattr(endpoint, name))
    with pytest.raises(AttributeError):
        endpoint.token_revocation_list  # noqa: B018 - two releases old, no longer served
