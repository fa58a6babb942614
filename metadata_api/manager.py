"""The metadata service's RPC endpoint: the conductor says which instance changed, the
cache forgets it."""
from __future__ import annotations

from metadata_api import service
from metadata_api.rpcapi import MetadataAPI
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


class MetadataManager:
    target = endpoint_target(MetadataAPI)

    def instance_changed(self, ctx: RequestContext, instance_uuid: str | None = None) -> None:
        service.forget(instance_uuid)
