"""The network domain's RPC endpoint (contract: conductor/rpcapi/network.py): checks an
admin's input, changes the state through the queries and tells the network agents."""
from __future__ import annotations

from typing import Any

from compute_agent.rpcapi import ComputeAPI
from conductor.compute.queries import instances
from conductor.network import addressing
from conductor.network.queries import networks as queries
from conductor.network.queries import security_groups
from conductor.rpcapi.network import NetworkConductorAPI
from metadata_api.rpcapi import MetadataAPI
from network_agent.rpcapi import NetworkAgentAPI
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

Record = dict[str, Any]
CREATE_KEYS = {"label", "cidr", "cidr_v6", "bridge", "bridge_interface", "vlan", "vni",
               "multi_host", "dns1", "dns2", "gateway", "dhcp_start", "project_id", "mtu",
               "enable_dhcp", "priority"}
UPDATE_KEYS = {"project_id", "host"}
# The compute agents' contract version that plugs and unplugs NICs.
HOTPLUG = "1.11"


def _only(values: Record, allowed: set[str]) -> Record:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise exception.Invalid(f"Unknown network attribute(s): {', '.join(unknown)}.")
    return values


def _with_segment(values: Record) -> Record:
    """A VlanManager network an admin gives no VLAN ID or VNI gets the lowest free one
    from [network] vlan_start (a VNI with vxlan segmentation), as Nova's vlan_start."""
    if CONF.network.manager != "VlanManager" or values.get("vlan") is not None \
            or values.get("vni") is not None:
        return values
    key = "vni" if CONF.network.segmentation == "vxlan" else "vlan"
    return {**values, key: queries.free_segment()}


def _require_hotplug() -> None:
    """Refuse before anything changes while compute agents are pinned below the version
    that plugs NICs (a rolling upgrade)."""
    api = ComputeAPI.get()
    if not api.can_send_version(HOTPLUG):
        raise exception.RPCVersionTooNew(topic=api.TOPIC, cap=api.version_cap,
                                         method="attach_interface", version=HOTPLUG)


def _addresses_changed(ctx: RequestContext, instance_uuid: str) -> None:
    """Rules whose source is one of the server's groups follow its addresses, and so
    does what the metadata services cached of it."""
    MetadataAPI.get().instance_changed(ctx, instance_uuid=instance_uuid)
    if security_groups.referenced_as_source(instance_uuid):
        NetworkAgentAPI.get().security_groups_changed(ctx)


class NetworkEndpoint:
    target = endpoint_target(NetworkConductorAPI)

    def network_create(self, ctx: RequestContext, values: Record) -> Record:
        values = _with_segment(_only(values, CREATE_KEYS))
        return queries.create_network(addressing.network_values(**values))

    def network_get(self, ctx: RequestContext, network_uuid: str,
                    project_id: str | None = None) -> Record:
        return queries.get_network(network_uuid, project_id)

    def network_list(self, ctx: RequestContext, project_id: str | None = None,
                     shared: bool = True) -> list[Record]:
        return queries.list_networks(project_id, shared)

    def network_update(self, ctx: RequestContext, network_uuid: str,
                       values: Record) -> Record:
        network = queries.update_network(network_uuid, _only(values, UPDATE_KEYS))
        NetworkAgentAPI.get().networks_changed(ctx)
        return network

    def network_delete(self, ctx: RequestContext, network_uuid: str) -> None:
        queries.delete_network(network_uuid)
        NetworkAgentAPI.get().networks_changed(ctx)

    def project_scrub(self, ctx: RequestContext, project_id: str) -> list[Record]:
        networks = queries.scrub_project(project_id)
        if networks:
            NetworkAgentAPI.get().networks_changed(ctx)
        return networks

    def fixed_ip_get(self, ctx: RequestContext, address: str) -> Record:
        return queries.fixed_ip(address)

    def fixed_ip_reserve(self, ctx: RequestContext, address: str, reserved: bool) -> None:
        queries.reserve_fixed_ip(address, reserved)

    def instance_add_fixed_ip(self, ctx: RequestContext, instance_uuid: str,
                              project_id: str, network_uuid: str) -> Record:
        _require_hotplug()
        vif, host = queries.add_fixed_ip(instance_uuid, project_id, network_uuid,
                                         ctx.is_admin)
        ComputeAPI.get().attach_interface(ctx, host=host, vif=vif,
                                          instance=instances.instance(instance_uuid))
        _addresses_changed(ctx, instance_uuid)
        return vif

    def instance_remove_fixed_ip(self, ctx: RequestContext, instance_uuid: str,
                                 project_id: str, address: str) -> None:
        _require_hotplug()
        vif, host, network = queries.remove_fixed_ip(instance_uuid, project_id, address,
                                                     ctx.is_admin)
        if vif is not None:
            ComputeAPI.get().detach_interface(ctx, host=host, vif=vif,
                                              instance=instances.instance(instance_uuid))
        else:  # the NIC stays with its other address: the agents drop this one
            self._unplugged(ctx, host, network)
        _addresses_changed(ctx, instance_uuid)

    def instance_release_nic(self, ctx: RequestContext, instance_uuid: str,
                             vif_id: str) -> None:
        released = queries.release_nic(instance_uuid, vif_id)
        if released is not None:
            self._unplugged(ctx, *released)
            _addresses_changed(ctx, instance_uuid)

    @staticmethod
    def _unplugged(ctx: RequestContext, host: str | None, network: Record) -> None:
        """The server's host drops the port; so does the DHCP host of its single-host
        network when that is another."""
        agents = NetworkAgentAPI.get()
        if host:
            agents.refresh_host(ctx, host=host)
        if not network["multi_host"] and network.get("host") and network["host"] != host:
            agents.refresh_network(ctx, host=network["host"], network_uuid=network["uuid"])

    def virtual_interface_list(self, ctx: RequestContext,
                               instance_uuid: str) -> list[Record]:
        return queries.virtual_interfaces(instance_uuid)

    def host_config(self, ctx: RequestContext, host: str) -> Record:
        return queries.host_config(host)

    def instance_ports(self, ctx: RequestContext, port_ids: list[str], host: str) -> Record:
        return queries.instance_ports(port_ids, host)

    def network_config(self, ctx: RequestContext, network_uuid: str, host: str) -> Record:
        return queries.network_config(network_uuid, host)

    def network_host_report(self, ctx: RequestContext, host: str, vtep: str | None) -> None:
        if queries.report_host(host, vtep):
            # Every other agent floods its VXLAN networks to the new endpoint too.
            NetworkAgentAPI.get().networks_changed(ctx)
