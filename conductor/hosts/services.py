"""The service endpoint: services and their state reports, compute nodes and the host
states the scheduler reads. The rows are read and written by conductor/hosts/queries.py;
a change the scheduler must see is announced to it from here."""
from __future__ import annotations

from typing import Any

from conductor.hosts import queries
from conductor.network.queries import networks
from conductor.rpcapi.hosts import HostsAPI
from network_agent.rpcapi import BINARY as NETWORK_BINARY
from network_agent.rpcapi import NetworkAgentAPI
from scheduler.rpcapi import SchedulerAPI
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

SERVICE_FIELDS = {"disabled", "disabled_reason", "forced_down"}
NODE_FIELDS = {"vcpus", "memory_mb", "local_gb", "hypervisor_type", "hypervisor_version",
               "host_ip", "cpu_allocation_ratio", "ram_allocation_ratio",
               "disk_allocation_ratio", "supported_instances"}


class ServiceEndpoint:
    target = endpoint_target(HostsAPI)

    def ping(self, ctx: RequestContext) -> str:
        """Answers once this conductor takes calls (services wait for it at start)."""
        return "pong"

    def service_report(self, ctx: RequestContext, host: str, binary: str,
                       topic: str) -> dict[str, Any]:
        return queries.report_service(host, binary, topic)

    def service_list(self, ctx: RequestContext, host: str | None = None,
                     binary: str | None = None) -> list[dict[str, Any]]:
        return queries.services(host, binary)

    def service_get(self, ctx: RequestContext, service_uuid: str) -> dict[str, Any]:
        return queries.service(service_uuid)

    def service_update(self, ctx: RequestContext, values: dict[str, Any],
                       host: str | None = None, binary: str | None = None,
                       service_uuid: str | None = None) -> dict[str, Any]:
        """Update the service named by `service_uuid`, or by `host` and `binary`."""
        changes = {k: v for k, v in values.items() if k in SERVICE_FIELDS}
        out = queries.update_service(changes, host, binary, service_uuid)
        SchedulerAPI.get().host_states_changed(ctx)
        return out

    def service_delete(self, ctx: RequestContext, service_id: int | None = None,
                       service_uuid: str | None = None) -> None:
        """Delete a service by database id (before 2.53) or uuid, with its nodes; a
        network agent's VXLAN endpoint with it (the others stop flooding to it)."""
        host, binary = queries.delete_service(service_id, service_uuid)
        SchedulerAPI.get().host_states_changed(ctx)
        if binary == NETWORK_BINARY and networks.forget_host(host):
            NetworkAgentAPI.get().networks_changed(ctx)

    def compute_node_report(self, ctx: RequestContext, host: str, node: str,
                            resources: dict[str, Any]) -> dict[str, Any]:
        out = queries.report_compute_node(
            host, node, {k: resources[k] for k in NODE_FIELDS & resources.keys()})
        SchedulerAPI.get().host_states_changed(ctx)
        return out

    def host_states(self, ctx: RequestContext) -> list[dict[str, Any]]:
        """Every compute node with its usage and its service, in two queries."""
        return queries.host_states()
