"""The floating IP part of the network domain's endpoint (contract:
conductor/rpcapi/network.py): pools, allocation and association, each change told to the
agent of the host whose server it touches."""
from __future__ import annotations

from typing import Any

from conductor.network.queries import floating_ips
from conductor.rpcapi.network import NetworkConductorAPI
from metadata_api.rpcapi import MetadataAPI
from network_agent.rpcapi import NetworkAgentAPI
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

Record = dict[str, Any]


def _tell(ctx: RequestContext, host: str | None, instance_uuid: str | None = None) -> None:
    """The server's host re-reads its floating IPs; the metadata services forget the
    server (its public-ipv4), every server when which one is not known."""
    if host:
        NetworkAgentAPI.get().refresh_host(ctx, host=host)
    MetadataAPI.get().instance_changed(ctx, instance_uuid=instance_uuid)


class FloatingIpEndpoint:
    target = endpoint_target(NetworkConductorAPI)

    def floating_ip_bulk_create(self, ctx: RequestContext, ip_range: str,
                                pool: str | None = None,
                                interface: str | None = None) -> list[Record]:
        return floating_ips.bulk_create(pool, ip_range, interface)

    def floating_ip_bulk_delete(self, ctx: RequestContext, ip_range: str) -> list[str]:
        return floating_ips.bulk_delete(ip_range)

    def floating_ip_list(self, ctx: RequestContext, project_id: str | None = None,
                         host: str | None = None) -> list[Record]:
        if project_id is not None:
            return floating_ips.list_project(project_id)
        return floating_ips.list_all(host)

    def floating_ip_get(self, ctx: RequestContext, floating_id: int,
                        project_id: str | None = None) -> Record:
        return floating_ips.get(floating_id, project_id)

    def floating_ip_pools(self, ctx: RequestContext) -> list[str]:
        return floating_ips.pools()

    def floating_ip_allocate(self, ctx: RequestContext, project_id: str,
                             pool: str | None = None) -> Record:
        return floating_ips.allocate(project_id, pool)

    def floating_ip_deallocate(self, ctx: RequestContext, floating_id: int,
                               project_id: str | None = None) -> None:
        _tell(ctx, floating_ips.deallocate(floating_id, project_id)["host"])

    def floating_ip_associate(self, ctx: RequestContext, address: str, instance_uuid: str,
                              project_id: str | None = None,
                              fixed_address: str | None = None) -> Record:
        found = floating_ips.associate(project_id, address, instance_uuid, fixed_address)
        _tell(ctx, found["host"], instance_uuid)
        return found

    def floating_ip_disassociate(self, ctx: RequestContext, address: str,
                                 project_id: str | None = None,
                                 instance_uuid: str | None = None) -> None:
        _tell(ctx, floating_ips.disassociate(project_id, address, instance_uuid)["host"],
              instance_uuid)
