"""nova-network's APIs (os-networks, os-tenant-networks, os-fixed-ips,
os-virtual-interfaces, the addFixedIp and removeFixedIp actions) over the conductor's
network domain: what Nova's create bodies mean in its terms, which networks a caller
sees, and fixed IP addresses checked."""
from __future__ import annotations

import ipaddress
from typing import Any

from compute_api.service.clients import conductor
from stratus import exception, policy
from stratus.api.validation import to_bool
from stratus.context import RequestContext

Record = dict[str, Any]
TENANT_POLICY = "os_compute_api:os-tenant-networks"
# Nova's create keys the conductor takes as they are.
SAME = ("cidr", "cidr_v6", "bridge", "bridge_interface", "dns1", "dns2",
        "gateway", "project_id")
BOOLEANS = ("multi_host", "enable_dhcp")


def _int(value: Any) -> int | None:
    """Nova's positive_integer_with_empty_str: "" (or absent) is unset."""
    return None if value in (None, "") else int(value)


def _require_ipv4(values: Record) -> Record:
    if not values.get("cidr"):
        raise exception.Invalid("A network needs an IPv4 range (cidr): IPv6-only networks "
                                "are not supported.")
    return values


def network_values(network: Record) -> Record:
    """The conductor's values for an os-networks create body (validated): vlan_start is
    the network's VLAN when vlan is not given, allowed_start its first DHCP address; the
    nova-network options Stratus has no use for (ipam, gateway_v6, dhcp_server,
    share_address, fixed_cidr, allowed_end, vpn_start) are accepted and ignored."""
    values: Record = {"label": network["label"],
                      **{k: network[k] for k in SAME if network.get(k) not in (None, "")}}
    values.update({k: to_bool(network[k]) for k in BOOLEANS if k in network})
    vlan = _int(network.get("vlan"))
    values["vlan"] = vlan if vlan is not None else _int(network.get("vlan_start"))
    values["mtu"] = _int(network.get("mtu"))
    if network.get("allowed_start"):
        values["dhcp_start"] = network["allowed_start"]
    return _require_ipv4({k: v for k, v in values.items() if v is not None})


def tenant_network_values(ctx: RequestContext, network: Record) -> Record:
    """The conductor's values for an os-tenant-networks create body: one network of the
    caller's project (vlan_start its VLAN); network_size and num_networks are Nova's
    way of cutting several networks from one range, of which Stratus makes one."""
    if (_int(network.get("num_networks")) or 1) > 1:
        raise exception.Invalid("Only one network can be created at a time "
                                "(num_networks must be 1).")
    values: Record = {"label": network["label"],
                      **{k: network[k] for k in ("cidr", "cidr_v6")
                         if network.get(k) not in (None, "")}}
    vlan = _int(network.get("vlan_start"))
    if vlan is not None:
        values["vlan"] = vlan
    values["project_id"] = _project(ctx)
    return _require_ipv4(values)


def _project(ctx: RequestContext) -> str:
    if ctx.project_id is None:
        raise exception.Invalid("A project-scoped token is needed.")
    return ctx.project_id


def _visible_to(ctx: RequestContext) -> str | None:
    """The project whose (and the shared) networks the caller sees; None: all (admins)."""
    return None if ctx.is_admin else _project(ctx)


def list_networks(ctx: RequestContext) -> list[Record]:
    """Admins: every network; others: their project's and the shared ones."""
    return list(conductor.network_list(ctx, project_id=_visible_to(ctx), shared=True))


def get_network(ctx: RequestContext, network_id: str) -> Record:
    return conductor.network_get(ctx, network_uuid=network_id, project_id=_visible_to(ctx))


def create_network(ctx: RequestContext, values: Record) -> Record:
    return conductor.network_create(ctx, values=values)


def delete_network(ctx: RequestContext, network_id: str) -> None:
    conductor.network_delete(ctx, network_uuid=network_id)


def associate_network(ctx: RequestContext, network_id: str, values: Record) -> Record:
    """Set or clear (None) a network's project and/or host."""
    return conductor.network_update(ctx, network_uuid=network_id, values=values)


def add_network_to_project(ctx: RequestContext, network_id: str | None) -> Record:
    """Give a network to the caller's project: the one named (400 when there is none), or
    with no id the first VLAN network no project has (400 when none is left)."""
    project_id = _project(ctx)
    if network_id is None:
        free = [n for n in conductor.network_list(ctx)
                if n["project_id"] is None and (n["vlan"] is not None or n["vni"] is not None)]
        if not free:
            raise exception.Invalid("No more available networks.")
        network_id = free[0]["uuid"]
    try:
        return associate_network(ctx, network_id, {"project_id": project_id})
    except exception.NetworkNotFound as e:
        raise exception.Invalid(e.message) from None


def list_tenant_networks(ctx: RequestContext) -> list[Record]:
    """The networks the caller's project may use: its own and the shared ones."""
    return list(conductor.network_list(ctx, project_id=_project(ctx), shared=True))


def get_tenant_network(ctx: RequestContext, network_id: str) -> Record:
    return conductor.network_get(ctx, network_uuid=network_id, project_id=_project(ctx))


def delete_tenant_network(ctx: RequestContext, network_id: str) -> None:
    """Delete a network of the caller's project (409 while servers use it); a shared
    network only an admin may delete (as the policy decides, its owner being nobody)."""
    network = get_tenant_network(ctx, network_id)
    if network["project_id"] != ctx.project_id:
        policy.authorize(ctx, TENANT_POLICY, {"project_id": network["project_id"] or ""})
    conductor.network_delete(ctx, network_uuid=network["uuid"])


def fixed_ip_address(address: str) -> str:
    """A fixed IP address of the URL, normalized; 400 when it is not an address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise exception.Invalid(f"Fixed IP address {address} is invalid.") from None
    if ip.version != 4:
        raise exception.NotFound(f"Fixed IP {address} not found.")
    return str(ip)


def get_fixed_ip(ctx: RequestContext, address: str) -> Record:
    """An address of a network: its network's range, reservation and server (404 when
    no network has it)."""
    return conductor.fixed_ip_get(ctx, address=fixed_ip_address(address))


def reserve_fixed_ip(ctx: RequestContext, address: str, reserved: bool) -> None:
    """Keep an address from allocation or give it back (409 while a server has it)."""
    conductor.fixed_ip_reserve(ctx, address=fixed_ip_address(address), reserved=reserved)


def virtual_interfaces(ctx: RequestContext, inst: Record) -> list[Record]:
    """The server's NICs in order: id, mac_address, net_id."""
    return list(conductor.virtual_interface_list(ctx, instance_uuid=inst["uuid"]))


def add_fixed_ip(ctx: RequestContext, inst: Record, network_id: str | int | float) -> None:
    """addFixedIp: a new NIC on the network, with a fixed IP, for the server (hot-plugged
    by its host); 400 when the network has no address left, as Nova."""
    try:
        conductor.instance_add_fixed_ip(ctx, instance_uuid=inst["uuid"],
                                        project_id=inst["project_id"],
                                        network_uuid=str(network_id))
    except exception.NoMoreFixedIps as e:
        raise exception.Invalid(e.message) from None


def remove_fixed_ip(ctx: RequestContext, inst: Record, address: str) -> None:
    """removeFixedIp: the server's address released and its NIC unplugged."""
    conductor.instance_remove_fixed_ip(ctx, instance_uuid=inst["uuid"],
                                       project_id=inst["project_id"],
                                       address=str(ipaddress.ip_address(address)))
