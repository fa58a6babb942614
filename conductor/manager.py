"""The conductor's RPC endpoints, one class per kind of data."""
from __future__ import annotations

from typing import Any


def endpoints() -> list[Any]:
    from conductor.actions import ActionEndpoint
    from conductor.aggregates import AggregateEndpoint
    from conductor.build_watchdog import BuildWatchdog
    from conductor.evacuate import EvacuateEndpoint
    from conductor.flavors import FlavorEndpoint
    from conductor.identity import IdentityEndpoint
    from conductor.images import ImageEndpoint
    from conductor.instances import InstanceEndpoint
    from conductor.keypairs import KeypairEndpoint
    from conductor.quotas import QuotaEndpoint
    from conductor.server_groups import ServerGroupEndpoint
    from conductor.services import ServiceEndpoint
    return [IdentityEndpoint(), ImageEndpoint(), FlavorEndpoint(), KeypairEndpoint(),
            InstanceEndpoint(), ActionEndpoint(), QuotaEndpoint(), ServiceEndpoint(),
            AggregateEndpoint(), ServerGroupEndpoint(), EvacuateEndpoint(),
            BuildWatchdog()]
