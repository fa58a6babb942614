"""The conductor's RPC endpoints, grouped by domain, and the topic each group serves."""
from __future__ import annotations

from typing import Any

from conductor.compute.actions import ActionEndpoint
from conductor.compute.evacuate import EvacuateEndpoint
from conductor.compute.flavors import FlavorEndpoint
from conductor.compute.instances import InstanceEndpoint
from conductor.compute.keypairs import KeypairEndpoint
from conductor.compute.metadata import MetadataEndpoint
from conductor.compute.quotas import QuotaEndpoint
from conductor.compute.resize import ResizeEndpoint
from conductor.compute.server_groups import ServerGroupEndpoint
from conductor.compute.shelve import ShelveEndpoint
from conductor.compute.usage import UsageEndpoint
from conductor.hosts.aggregates import AggregateEndpoint
from conductor.hosts.services import ServiceEndpoint
from conductor.identity.endpoint import IdentityEndpoint
from conductor.image.endpoint import ImageEndpoint
from conductor.network.endpoint import NetworkEndpoint
from conductor.network.floating_ip_endpoint import FloatingIpEndpoint
from conductor.network.security_group_endpoint import SecurityGroupEndpoint
from conductor.release1 import Release1Endpoint
from conductor.rpcapi import release1
from conductor.rpcapi.compute import ComputeConductorAPI
from conductor.rpcapi.hosts import HostsAPI
from conductor.rpcapi.identity import IdentityAPI
from conductor.rpcapi.image import ImageAPI
from conductor.rpcapi.network import NetworkConductorAPI
from conductor.rpcapi.scheduling import SchedulingAPI
from conductor.scheduling import SchedulingEndpoint
from stratus.rpc import RPCAPI

# Per domain: its contract and the endpoint classes that implement it together.
DOMAINS: dict[str, tuple[type[RPCAPI], list[type]]] = {
    "identity": (IdentityAPI, [IdentityEndpoint]),
    "image": (ImageAPI, [ImageEndpoint]),
    "compute": (ComputeConductorAPI, [FlavorEndpoint, KeypairEndpoint, InstanceEndpoint,
                                      ActionEndpoint, QuotaEndpoint, ServerGroupEndpoint,
                                      EvacuateEndpoint, ShelveEndpoint, UsageEndpoint,
                                      ResizeEndpoint, MetadataEndpoint]),
    "hosts": (HostsAPI, [ServiceEndpoint, AggregateEndpoint]),
    "network": (NetworkConductorAPI, [NetworkEndpoint, FloatingIpEndpoint,
                                      SecurityGroupEndpoint]),
}


def topics() -> dict[str, list[Any]]:
    """Per topic the endpoint objects that serve it (one object per class, shared)."""
    by_domain = {name: [cls() for cls in classes] for name, (_, classes) in DOMAINS.items()}
    served = {api.TOPIC: by_domain[name] for name, (api, _) in DOMAINS.items()}
    served[SchedulingAPI.TOPIC] = [SchedulingEndpoint(by_domain)]
    served[release1.TOPIC] = [Release1Endpoint(by_domain)]
    return served
