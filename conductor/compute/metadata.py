"""The metadata service's endpoint: an instance as its guest may see it (found by uuid or
by fixed IP) and the password the guest posts, which os-server-password shows and
clears. The rows are read and written by conductor/compute/queries/metadata.py."""
from __future__ import annotations

from typing import Any

from conductor.compute.queries import metadata as queries
from conductor.rpcapi.compute import ComputeConductorAPI
from metadata_api.rpcapi import MetadataAPI
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


class MetadataEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def instance_for_guest(self, ctx: RequestContext, instance_uuid: str | None = None,
                           address: str | None = None) -> dict[str, Any]:
        return queries.instance_for_guest(instance_uuid, address)

    def instance_password_post(self, ctx: RequestContext, instance_uuid: str,
                               password: str) -> None:
        queries.post_password(instance_uuid, password)
        MetadataAPI.get().instance_changed(ctx, instance_uuid=instance_uuid)

    def instance_password_get(self, ctx: RequestContext, instance_uuid: str,
                              project_id: str | None = None) -> str:
        return queries.server_password(instance_uuid, project_id)

    def instance_password_clear(self, ctx: RequestContext, instance_uuid: str,
                                project_id: str | None = None) -> None:
        queries.clear_password(instance_uuid, project_id)
        MetadataAPI.get().instance_changed(ctx, instance_uuid=instance_uuid)
