"""Wire contract of the conductor's network domain (topic `conductor_network`): networks,
fixed IPs and virtual interfaces, security groups, and what each host's network agent
serves.

Version history:
  1.0 - networks (create, get, list, update, delete, project scrub), fixed IPs (show,
        reserve), virtual interfaces, and the network agents' reads (host_config,
        network_config).
  1.1 - floating IPs: floating_ip_bulk_create, floating_ip_bulk_delete,
        floating_ip_list, floating_ip_get, floating_ip_pools, floating_ip_allocate,
        floating_ip_deallocate, floating_ip_associate, floating_ip_disassociate;
        host_config also carries the host's floating IPs and its servers' ports with
        their ingress rules. Security groups (list, get, create, update, delete),
        their rules (create, delete), the default rules of new `default` groups,
        servers' groups (list, add, remove) and the agents' read of servers' ingress
        rules (security_group_rules_for_instances).
  1.2 - network_host_report: an agent's host and VXLAN endpoint; host_config and
        network_config give each VXLAN network the other hosts' endpoints (`remotes`).
  1.3 - instance_add_fixed_ip, instance_remove_fixed_ip (nova-network's multinic:
        addFixedIp and removeFixedIp, the NIC hot-plugged by the server's compute agent).
  1.4 - instance_ports: an agent's read of new servers' ports alone (a boot no longer
        re-reads the whole host); instance_release_nic: a NIC its compute agent could
        not plug, given back whatever the server is doing.
"""
from __future__ import annotations

from typing import Any

from stratus.context import RequestContext
from stratus.rpc import RPCAPI, call

Record = dict[str, Any]


class NetworkConductorAPI(RPCAPI):
    TOPIC = "conductor_network"
    VERSION = "1.4"

    # --- networks -----------------------------------------------------------------------

    @call("1.0")
    def network_create(self, ctx: RequestContext, *, values: Record) -> Record:
        """A new network from an admin's values (label, cidr, cidr_v6, bridge,
        bridge_interface, vlan, vni, multi_host, dns1, dns2, gateway, dhcp_start,
        project_id, mtu, enable_dhcp, priority); 400 on bad or overlapping ranges."""

    @call("1.0")
    def network_get(self, ctx: RequestContext, *, network_uuid: str,
                    project_id: str | None = None) -> Record:
        """One network (one the project may use, when a project is given)."""

    @call("1.0")
    def network_list(self, ctx: RequestContext, *, project_id: str | None = None,
                     shared: bool = True) -> list[Record]:
        """Networks: all, or the project's (with the shared ones when `shared`)."""

    @call("1.0")
    def network_update(self, ctx: RequestContext, *, network_uuid: str,
                       values: Record) -> Record:
        """Associate a network with a project or host, or take it off (None)."""

    @call("1.0")
    def network_delete(self, ctx: RequestContext, *, network_uuid: str) -> None:
        """Delete a network no server has an address in (409 otherwise)."""

    @call("1.0")
    def project_scrub(self, ctx: RequestContext, *, project_id: str) -> list[Record]:
        """Delete the project's networks; the networks deleted."""

    # --- fixed IPs and interfaces --------------------------------------------------------

    @call("1.0")
    def fixed_ip_get(self, ctx: RequestContext, *, address: str) -> Record:
        """An address of a network: its network, reservation and server."""

    @call("1.0")
    def fixed_ip_reserve(self, ctx: RequestContext, *, address: str,
                         reserved: bool) -> None:
        """Keep an address from allocation, or give it back."""

    @call("1.0")
    def virtual_interface_list(self, ctx: RequestContext, *,
                               instance_uuid: str) -> list[Record]:
        """The server's NICs (id, MAC, network), in order."""

    @call("1.3")
    def instance_add_fixed_ip(self, ctx: RequestContext, *, instance_uuid: str,
                              project_id: str, network_uuid: str) -> Record:
        """A new NIC with a fixed IP of the network for the server of `project_id` (under
        its fixed_ips quota), plugged by the server's compute agent; its network_info
        entry. 404 for a network the project may not use, NoMoreFixedIps when it is
        full, 403 over the quota, 409 while the server is locked, busy or not ACTIVE or
        SHUTOFF."""

    @call("1.3")
    def instance_remove_fixed_ip(self, ctx: RequestContext, *, instance_uuid: str,
                                 project_id: str, address: str) -> None:
        """Release a fixed IP of the server of `project_id` and unplug its NIC (400 when
        the server has not that address, 409 as for instance_add_fixed_ip)."""

    @call("1.4")
    def instance_release_nic(self, ctx: RequestContext, *, instance_uuid: str,
                             vif_id: str) -> None:
        """Give back a NIC (virtual interface uuid) its compute agent could not plug:
        its fixed IPs and floating IPs released whatever the server is doing (no
        user-facing checks), the agents told. A NIC already gone is fine."""

    # --- floating IPs ----------------------------------------------------------------------

    @call("1.1")
    def floating_ip_bulk_create(self, ctx: RequestContext, *, ip_range: str,
                                pool: str | None = None,
                                interface: str | None = None) -> list[Record]:
        """Fill a pool with the addresses of a range (409 if one exists already)."""

    @call("1.1")
    def floating_ip_bulk_delete(self, ctx: RequestContext, *, ip_range: str) -> list[str]:
        """Remove a range's addresses from their pool (409 while one is associated)."""

    @call("1.1")
    def floating_ip_list(self, ctx: RequestContext, *, project_id: str | None = None,
                         host: str | None = None) -> list[Record]:
        """The project's floating IPs, or every one (of a host) when no project is
        given."""

    @call("1.1")
    def floating_ip_get(self, ctx: RequestContext, *, floating_id: int,
                        project_id: str | None = None) -> Record:
        """One floating IP (of the project, when given)."""

    @call("1.1")
    def floating_ip_pools(self, ctx: RequestContext) -> list[str]:
        """The names of the pools."""

    @call("1.1")
    def floating_ip_allocate(self, ctx: RequestContext, *, project_id: str,
                             pool: str | None = None) -> Record:
        """A free address of the pool for the project (its floating_ips quota); 404
        when the pool is unknown or has none left."""

    @call("1.1")
    def floating_ip_deallocate(self, ctx: RequestContext, *, floating_id: int,
                               project_id: str | None = None) -> None:
        """Give a floating IP back to its pool (disassociated first)."""

    @call("1.1")
    def floating_ip_associate(self, ctx: RequestContext, *, address: str,
                              instance_uuid: str, project_id: str | None = None,
                              fixed_address: str | None = None) -> Record:
        """Lead a floating IP of the project to one of the server's fixed IPs."""

    @call("1.1")
    def floating_ip_disassociate(self, ctx: RequestContext, *, address: str,
                                 project_id: str | None = None,
                                 instance_uuid: str | None = None) -> None:
        """Take a floating IP off its server (that server's, when given)."""

    # --- the network agents' reads -------------------------------------------------------

    @call("1.0")
    def host_config(self, ctx: RequestContext, *, host: str) -> Record:
        """What the host's agent plumbs: {"networks": each with the DHCP hosts it
        serves, "floating_ips": the floating IPs of its servers}."""

    @call("1.0")
    def network_config(self, ctx: RequestContext, *, network_uuid: str,
                       host: str) -> Record:
        """One network as the host's agent plumbs it, with its DHCP hosts there."""

    @call("1.4")
    def instance_ports(self, ctx: RequestContext, *, port_ids: list[str],
                       host: str) -> Record:
        """What the host's agent adds for the live servers of these ports (virtual
        interface uuids): {"instances": their uuids, "ports": all their ports as
        host_config has them, "dhcp_hosts": network uuid -> the DHCP entries the host
        serves for them, "floating_ips": theirs}."""

    @call("1.2")
    def network_host_report(self, ctx: RequestContext, *, host: str,
                            vtep: str | None) -> None:
        """A network agent is up on `host`, its VXLAN links on `vtep` (None: none); the
        other agents are told when that is new."""

    # --- security groups (nova-network's) ---------------------------------------------
    # Groups are seen through a project (project_id None: every project, for admins); the
    # caller's own project gets its `default` group on first need. Every change casts
    # NetworkAgentAPI.security_groups_changed once it is committed.

    @call("1.1")
    def security_group_list(self, ctx: RequestContext, *,
                            project_id: str | None = None) -> list[Record]:
        """The project's groups (None: all), each with its rules, by project and name."""

    @call("1.1")
    def security_group_get(self, ctx: RequestContext, *, group_id: int,
                           project_id: str | None = None) -> Record:
        """One group with its rules (404 unless it is the project's, when one is given)."""

    @call("1.1")
    def security_group_create(self, ctx: RequestContext, *, project_id: str,
                              user_id: str | None, name: str, description: str) -> Record:
        """A new group of the project (400 when the name is taken or invalid, 403 over
        the security_groups quota)."""

    @call("1.1")
    def security_group_update(self, ctx: RequestContext, *, group_id: int, name: str,
                              description: str, project_id: str | None = None) -> Record:
        """Rename and redescribe a group (400 for `default` or a taken name)."""

    @call("1.1")
    def security_group_delete(self, ctx: RequestContext, *, group_id: int,
                              project_id: str | None = None) -> None:
        """Delete a group with its rules (400 for `default` or while a server is in it)."""

    @call("1.1")
    def security_group_rule_create(self, ctx: RequestContext, *, parent_group_id: int,
                                   rule: Record, project_id: str | None = None) -> Record:
        """A new ingress rule from Nova's body (ip_protocol, from_port, to_port, and
        cidr or group_id, a source group of the same project): 400 when invalid or a
        duplicate, 403 over the security_group_rules quota, 404 for an unknown group."""

    @call("1.1")
    def security_group_rule_delete(self, ctx: RequestContext, *, rule_id: int,
                                   project_id: str | None = None) -> None:
        """Delete a rule of a group the project may see."""

    @call("1.1")
    def security_group_default_rule_list(self, ctx: RequestContext) -> list[Record]:
        """The rules every new `default` group starts with."""

    @call("1.1")
    def security_group_default_rule_get(self, ctx: RequestContext, *,
                                        rule_id: int) -> Record:
        """One default rule (404 when there is none)."""

    @call("1.1")
    def security_group_default_rule_create(self, ctx: RequestContext, *,
                                           rule: Record) -> Record:
        """A new default rule from Nova's body (ip_protocol, from_port, to_port, cidr):
        400 when invalid, 409 for a duplicate."""

    @call("1.1")
    def security_group_default_rule_delete(self, ctx: RequestContext, *,
                                           rule_id: int) -> None:
        """Delete a default rule (groups made from it keep their copies)."""

    @call("1.1")
    def instance_security_groups(self, ctx: RequestContext, *,
                                 instance_uuid: str) -> list[Record]:
        """The server's groups, each with its rules."""

    @call("1.1")
    def instance_add_security_group(self, ctx: RequestContext, *, instance_uuid: str,
                                    name: str) -> None:
        """Put the server in its project's group `name` (404 when there is none, 400
        when the server is in it already)."""

    @call("1.1")
    def instance_remove_security_group(self, ctx: RequestContext, *, instance_uuid: str,
                                       name: str) -> None:
        """Take the server out of its project's group `name` (404 when there is none,
        400 when the server is not in it)."""

    @call("1.1")
    def security_group_rules_for_instances(self, ctx: RequestContext, *,
                                           instance_uuids: list[str]
                                           ) -> dict[str, list[Record]]:
        """Per server its ingress rules as the agents filter by them
        (conductor/network/queries/security_groups.py rules_for_instances)."""
