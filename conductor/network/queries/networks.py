"""SQL of the network domain: networks, the fixed IPs and virtual interfaces of instances,
and the instances' network_info copy, which every allocation writes in its transaction."""
from __future__ import annotations

import ipaddress
import secrets
import uuid as uuidlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.limits import check
from conductor.compute.models import Instance
from conductor.compute.queries import quotas
from conductor.db import api as db
from conductor.db.base import utcnow
from conductor.network.models import FixedIp, FloatingIp, Network, NetworkHost, VirtualInterface
from stratus import exception
from stratus.config import CONF
from stratus.objects import states
from conductor.network import addressing
from conductor.network.queries import security_groups

Record = dict[str, Any]
Requested = list[dict[str, Any]] | str | None


# --- rows as dicts ----------------------------------------------------------------

def network_dict(row: Network) -> Record:
    return db.to_dict(row)


def _live() -> Any:
    return Network.deleted == 0


# --- networks ---------------------------------------------------------------------

def _overlapping(session: Session, cidr: str | None, column: Any) -> Network | None:
    if not cidr:
        return None
    wanted = ipaddress.ip_network(cidr)
    for row in session.scalars(sa.select(Network).where(_live(), column.is_not(None))):
        if ipaddress.ip_network(getattr(row, column.key)).overlaps(wanted):
            return row
    return None


def _check_unique(session: Session, values: Record) -> None:
    for column in (Network.cidr, Network.cidr_v6):
        clash = _overlapping(session, values.get(column.key), column)
        if clash is not None:
            raise exception.Invalid(
                f"Requested cidr ({values[column.key]}) conflicts with existing network "
                f"{clash.label} ({getattr(clash, column.key)}).")
    for key in ("vlan", "vni"):
        if values.get(key) is not None and session.scalar(
                sa.select(Network.id).where(_live(), getattr(Network, key) == values[key])):
            raise exception.Conflict(reason=f"{key.upper()} {values[key]} is already in use "
                                            f"by another network.")


def _insert(session: Session, values: Record) -> Network:
    _check_unique(session, values)
    row = Network(uuid=str(uuidlib.uuid4()), deleted=0, **values)
    session.add(row)
    session.flush()
    return row


def create_network(values: Record) -> Record:
    """A new network from validated values (addressing.network_values); Invalid when its
    range overlaps a live network's, Conflict when its VLAN or VNI is taken."""
    with db.writer() as s:
        return network_dict(_insert(s, values))


def free_segment() -> int:
    """The lowest VLAN ID or VNI from [network] vlan_start no live network has."""
    with db.reader() as s:
        taken = {v for row in s.execute(sa.select(Network.vlan, Network.vni).where(_live()))
                 for v in row if v is not None}
    return addressing.free_segment(taken)


def _network_row(session: Session, network_uuid: str, project_id: str | None = None,
                 for_update: bool = False) -> Network:
    query = sa.select(Network).where(Network.uuid == network_uuid, _live())
    if project_id is not None:
        query = query.where(sa.or_(Network.project_id.is_(None),
                                   Network.project_id == project_id))
    if for_update:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise exception.NetworkNotFound(network_id=network_uuid)
    return row


def get_network(network_uuid: str, project_id: str | None = None) -> Record:
    """One live network (of the project or shared, when a project is given)."""
    with db.reader() as s:
        return network_dict(_network_row(s, network_uuid, project_id))


def list_networks(project_id: str | None = None, shared: bool = True) -> list[Record]:
    """Live networks: all, or the project's (and the shared ones with `shared`)."""
    query = sa.select(Network).where(_live()).order_by(Network.id)
    if project_id is not None:
        mine = Network.project_id == project_id
        query = query.where(sa.or_(mine, Network.project_id.is_(None)) if shared else mine)
    with db.reader() as s:
        return [network_dict(r) for r in s.scalars(query)]


def _in_use(session: Session, network_id: int) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(FixedIp).where(
        FixedIp.network_id == network_id, FixedIp.allocated.is_(True))) or 0)


def delete_network(network_uuid: str) -> Record:
    """Delete a network no instance has an address in (Conflict otherwise); it."""
    with db.writer() as s:
        row = _network_row(s, network_uuid, for_update=True)
        used = _in_use(s, row.id)
        if used:
            raise exception.Conflict(
                reason=f"Network {network_uuid} is still in use: {used} fixed IP(s) are "
                       f"allocated to servers.")
        s.execute(sa.delete(FixedIp).where(FixedIp.network_id == row.id))
        row.deleted, row.deleted_at = row.id, utcnow()
        return network_dict(row)


def update_network(network_uuid: str, values: Record) -> Record:
    """Associate or disassociate a network's project or host (os-networks actions)."""
    with db.writer() as s:
        row = _network_row(s, network_uuid, for_update=True)
        if "project_id" in values and values["project_id"] != row.project_id \
                and _in_use(s, row.id):
            raise exception.Conflict(reason=f"Network {network_uuid} is still in use.")
        for key, value in values.items():
            setattr(row, key, value)
        return network_dict(row)


def scrub_project(project_id: str) -> list[Record]:
    """Delete the project's networks (Conflict if a server still uses one); them."""
    with db.writer() as s:
        rows = list(s.scalars(sa.select(Network).where(
            _live(), Network.project_id == project_id).with_for_update()))
        for row in rows:
            if _in_use(s, row.id):
                raise exception.Conflict(reason=f"Network {row.uuid} of project "
                                                f"{project_id} is still in use.")
        for row in rows:
            s.execute(sa.delete(FixedIp).where(FixedIp.network_id == row.id))
            row.deleted, row.deleted_at = row.id, utcnow()
        return [network_dict(r) for r in rows]


# --- fixed IPs --------------------------------------------------------------------

def _address_row(session: Session, address: str) -> tuple[Network, FixedIp | None]:
    """The live network `address` lies in and its row there (None when it is free)."""
    ip = ipaddress.ip_address(address)
    for net in session.scalars(sa.select(Network).where(_live(), Network.cidr.is_not(None))):
        if ip in ipaddress.ip_network(net.cidr):
            row = session.scalar(sa.select(FixedIp).where(
                FixedIp.network_id == net.id, FixedIp.address == str(ip)))
            return net, row
    raise exception.NotFound(f"Fixed IP {address} not found.")


def fixed_ip(address: str) -> Record:
    """What os-fixed-ips shows of an address of a network."""
    with db.reader() as s:
        net, row = _address_row(s, address)
        instance = None
        if row is not None and row.instance_uuid:
            instance = s.scalar(sa.select(Instance).where(Instance.uuid == row.instance_uuid))
        return {"address": address, "cidr": net.cidr, "network_uuid": net.uuid,
                "reserved": bool(row and row.reserved),
                "host": instance.host if instance else None,
                "hostname": instance.hostname if instance else None}


def reserve_fixed_ip(address: str, reserved: bool) -> None:
    """Keep an address from allocation, or give it back (Conflict while a server has
    it)."""
    with db.writer() as s:
        net, row = _address_row(s, address)
        if row is not None and row.allocated:
            raise exception.Conflict(reason=f"Fixed IP {address} is allocated to server "
                                            f"{row.instance_uuid}.")
        if reserved and row is None:
            s.add(FixedIp(network_id=net.id, address=address, reserved=True))
        elif not reserved and row is not None:
            s.delete(row)


# --- allocation -------------------------------------------------------------------

def _project_network(session: Session, project_id: str) -> list[Network]:
    """VlanManager: the project's networks, its first made now from `fixed_range`."""
    rows = list(session.scalars(sa.select(Network).where(
        _live(), Network.project_id == project_id).order_by(Network.id)))
    if rows:
        return rows
    taken = [r for r in session.scalars(sa.select(Network).where(_live()))]
    values = addressing.next_project_network(
        project_id, [r.cidr for r in taken if r.cidr], [r.cidr_v6 for r in taken if r.cidr_v6],
        {r.vni for r in taken if r.vni is not None} | {r.vlan for r in taken if r.vlan})
    return [_insert(session, values)]


def networks_for(session: Session, project_id: str, requested: Requested) -> list[Network]:
    """The networks a server of the project gets: those asked for (each visible to the
    project; NotFound otherwise), none for "none", else its own and the shared ones
    (VlanManager: the project's network, made on first use)."""
    if requested == "none":
        return []
    if isinstance(requested, list) and requested:
        return [_network_row(session, r["uuid"], project_id) for r in requested]
    if CONF.network.manager == "VlanManager":
        return _project_network(session, project_id)
    return list(session.scalars(sa.select(Network).where(
        _live(), sa.or_(Network.project_id.is_(None), Network.project_id == project_id))
        .order_by(Network.priority.is_(None), Network.priority, Network.id)))


def check_requested(session: Session, project_id: str, requested: Requested) -> None:
    """Refuse (NotFound, Invalid, Conflict) requested networks a create cannot have: an
    unknown network, a fixed IP outside its network or already in use."""
    if not isinstance(requested, list):
        return
    for item in requested:
        net = _network_row(session, item["uuid"], project_id)
        if item.get("fixed_ip"):
            _check_fixed_ip(session, net, item["fixed_ip"])


def check_requested_networks(project_id: str, requested: Requested) -> None:
    """check_requested in a read transaction of its own (at create time, where an
    unknown network is the request's fault: Invalid)."""
    if not isinstance(requested, list):
        return  # auto, none or unsaid: nothing to check, no transaction
    with db.reader() as s:
        try:
            check_requested(s, project_id, requested)
        except exception.NetworkNotFound as e:
            raise exception.Invalid(e.message)


def _check_fixed_ip(session: Session, net: Network, address: str) -> None:
    if not addressing.assignable(net, address):
        raise exception.Invalid(f"Fixed IP address ({address}) does not exist in network "
                                f"({net.uuid}).")
    taken = session.scalar(sa.select(FixedIp).where(FixedIp.network_id == net.id,
                                                    FixedIp.address == address))
    if taken is not None:
        owner = taken.instance_uuid or "(reserved)"
        raise exception.Invalid(f"Fixed IP address {address} is already in use on instance "
                                f"{owner}.")


def _free_address(session: Session, net: Network) -> str:
    used = set(session.scalars(sa.select(FixedIp.address).where(
        FixedIp.network_id == net.id)))
    address = addressing.first_free(net, used)
    if address is None:
        raise exception.NoMoreFixedIps(net=net.uuid)
    return address


def _new_mac(session: Session) -> str:
    while True:
        mac = "fa:16:3e:" + ":".join(f"{b:02x}" for b in secrets.token_bytes(3))
        if session.scalar(sa.select(VirtualInterface.id).where(
                VirtualInterface.address == mac)) is None:
            return mac


def _allocate(session: Session, instance: Instance, net: Network, position: int,
              address: str | None, host: str | None) -> VirtualInterface:
    net = session.scalar(sa.select(Network).where(Network.id == net.id).with_for_update())
    if address:
        _check_fixed_ip(session, net, address)
    else:
        address = _free_address(session, net)
    if net.host is None and not net.multi_host and host is not None:
        net.host = host
    vif = VirtualInterface(uuid=str(uuidlib.uuid4()), address=_new_mac(session),
                           network_id=net.id, instance_uuid=instance.uuid, position=position)
    session.add(vif)
    session.flush()
    session.add(FixedIp(network_id=net.id, address=address, instance_uuid=instance.uuid,
                        virtual_interface_id=vif.id, allocated=True, host=host))
    return vif


def _check_quota(session: Session, project_id: str, count: int) -> None:
    """QuotaExceeded when `count` more fixed IPs take the project over its fixed_ips
    quota (counted from the fixed IPs of its servers, as nova-network)."""
    if not count:
        return
    limits = quotas.project_limits(session, project_id)
    if limits["fixed_ips"] >= 0:  # -1: unlimited, nothing to count
        check(limits, {"fixed_ips": quotas.fixed_ip_count(session, project_id)},
              {"fixed_ips": count})


def network_info(session: Session, instance_uuid: str) -> list[Record]:
    """The instance's NICs, in order, each with its network and addresses."""
    vifs = list(session.scalars(sa.select(VirtualInterface).where(
        VirtualInterface.instance_uuid == instance_uuid).order_by(VirtualInterface.position)))
    if not vifs:
        return []
    nets = {n.id: n for n in session.scalars(sa.select(Network).where(
        Network.id.in_({v.network_id for v in vifs})))}
    ips: dict[int, list[str]] = {}
    floating: dict[str, list[str]] = {}
    for row, address in session.execute(
            sa.select(FixedIp, FloatingIp.address)
            .outerjoin(FloatingIp, FloatingIp.fixed_ip_id == FixedIp.id)
            .where(FixedIp.virtual_interface_id.in_([v.id for v in vifs]))
            .order_by(FixedIp.id, FloatingIp.id)):
        found = ips.setdefault(row.virtual_interface_id or 0, [])
        if row.address not in found:
            found.append(row.address)
        if address:
            floating.setdefault(row.address, []).append(address)
    return [addressing.vif_info(v.uuid, v.address, nets[v.network_id], ips.get(v.id, []),
                                floating) for v in vifs]


def instance_network_info(instance_uuid: str) -> list[Record]:
    with db.reader() as s:
        return network_info(s, instance_uuid)


def _write_cache(session: Session, instance: Instance) -> list[Record]:
    info = network_info(session, instance.uuid)
    session.execute(sa.update(Instance).where(Instance.id == instance.id)
                    .values(network_info=info).execution_options(synchronize_session=False))
    return info


def allocate_for_instance(instance_uuid: str, project_id: str, host: str | None,
                          requested: Requested) -> list[Record]:
    """Give the instance of `project_id` a NIC and a fixed IP on each of its networks
    (once: a retried build keeps them) and write its network_info; it. NoMoreFixedIps
    when a network is full, NotFound when a requested network is gone, QuotaExceeded
    over the project's fixed_ips quota."""
    with db.writer() as s:
        quotas.lock_project(s, project_id)
        instance = s.scalar(sa.select(Instance).where(Instance.uuid == instance_uuid,
                                                      Instance.deleted == 0))
        if instance is None:
            raise exception.InstanceNotFound(instance_id=instance_uuid)
        existing = network_info(s, instance_uuid)
        if existing:
            return existing
        wanted = {r["uuid"]: r.get("fixed_ip") for r in requested} \
            if isinstance(requested, list) else {}
        nets = networks_for(s, instance.project_id, requested)
        _check_quota(s, instance.project_id, len(nets))
        for position, net in enumerate(nets):
            _allocate(s, instance, net, position, wanted.get(net.uuid), host)
        return _write_cache(s, instance)


# --- a server's NICs after its build (addFixedIp, removeFixedIp) --------------------

# What a server may be in for its NICs to change: its guest defined on its host, no
# action running (a running guest has them hot-plugged).
NIC_CHANGE_STATES = (states.ACTIVE, states.STOPPED)


def _instance_to_change(session: Session, instance_uuid: str, project_id: str,
                        action: str, admin: bool) -> Instance:
    """The project's live instance, row-locked, if `action` may change its NICs now:
    InstanceIsLocked when locked (admins aside), InstanceInvalidState unless it is
    ACTIVE or STOPPED on a host with no task running."""
    row = session.scalar(sa.select(Instance).where(
        Instance.uuid == instance_uuid, Instance.project_id == project_id,
        Instance.deleted == 0).with_for_update())
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    if row.locked and not admin:
        raise exception.InstanceIsLocked(instance_uuid=instance_uuid)
    for attr, ok in (("vm_state", row.vm_state in NIC_CHANGE_STATES),
                     ("task_state", row.task_state is None), ("host", bool(row.host))):
        if not ok:
            raise exception.InstanceInvalidState(action=action, instance_uuid=instance_uuid,
                                                 attr=attr, state=getattr(row, attr))
    return row


def _next_position(session: Session, instance_uuid: str) -> int:
    last = session.scalar(sa.select(sa.func.max(VirtualInterface.position)).where(
        VirtualInterface.instance_uuid == instance_uuid))
    return 0 if last is None else int(last) + 1


def add_fixed_ip(instance_uuid: str, project_id: str, network_uuid: str,
                 admin: bool) -> tuple[Record, str]:
    """A new NIC (MAC) with a free fixed IP of the network for the server, after its
    others, under the project's fixed_ips quota, and its network_info rewritten.
    NetworkNotFound for a network the project may not use, NoMoreFixedIps when it is
    full. The new NIC's network_info entry and the server's host."""
    with db.writer() as s:
        quotas.lock_project(s, project_id)
        instance = _instance_to_change(s, instance_uuid, project_id, "addFixedIp", admin)
        net = _network_row(s, network_uuid, project_id)
        _check_quota(s, project_id, 1)
        vif = _allocate(s, instance, net, _next_position(s, instance_uuid), None,
                        instance.host)
        info = _write_cache(s, instance)
        return next(v for v in info if v["id"] == vif.uuid), str(instance.host)


def remove_fixed_ip(instance_uuid: str, project_id: str, address: str,
                    admin: bool) -> tuple[Record | None, str, Record]:
    """Release one of the server's fixed IPs (FixedIpNotFoundForInstance when it has not
    that address): its floating IPs taken off, its NIC removed with it unless the NIC
    keeps another address, the network_info rewritten. The removed NIC's network_info
    entry (None when the NIC stays), the server's host and the address's network."""
    with db.writer() as s:
        instance = _instance_to_change(s, instance_uuid, project_id, "removeFixedIp",
                                       admin)
        row = s.scalar(sa.select(FixedIp).where(FixedIp.instance_uuid == instance_uuid,
                                                FixedIp.address == address))
        if row is None:
            raise exception.FixedIpNotFoundForInstance(instance_uuid=instance_uuid,
                                                       ip=address)
        before = {v["id"]: v for v in network_info(s, instance_uuid)}
        vif = s.get(VirtualInterface, row.virtual_interface_id)
        _take_floating_off(s, [row.id])
        s.delete(row)
        s.flush()
        removed = None
        if vif is not None and s.scalar(sa.select(FixedIp.id).where(
                FixedIp.virtual_interface_id == vif.id).limit(1)) is None:
            removed = before.get(vif.uuid)
            s.delete(vif)
            s.flush()
        _write_cache(s, instance)
        return removed, str(instance.host), network_dict(s.get(Network, row.network_id))


def release_nic(instance_uuid: str, vif_id: str) -> tuple[str | None, Record] | None:
    """Free a NIC of the server and its fixed IPs (their floating IPs taken off) whatever
    the server is doing, and rewrite its network_info: the server's host and the NIC's
    network; None when the NIC is gone already."""
    with db.writer() as s:
        vif = s.scalar(sa.select(VirtualInterface).where(
            VirtualInterface.uuid == vif_id, VirtualInterface.instance_uuid == instance_uuid))
        if vif is None:
            return None
        network = network_dict(s.get(Network, vif.network_id))
        fixed = sa.select(FixedIp.id).where(FixedIp.virtual_interface_id == vif.id)
        _take_floating_off(s, fixed)
        s.execute(sa.delete(FixedIp).where(FixedIp.virtual_interface_id == vif.id))
        s.delete(vif)
        s.flush()
        instance = s.scalar(sa.select(Instance).where(Instance.uuid == instance_uuid))
        if instance is None:
            return None, network
        _write_cache(s, instance)
        return instance.host, network


def _take_floating_off(session: Session, fixed_ids: Any) -> None:
    """Disassociate the floating IPs of these fixed IPs (ids, or a select of them); the
    auto-assigned ones go back to their pool."""
    for row in session.scalars(sa.select(FloatingIp).where(
            FloatingIp.fixed_ip_id.in_(fixed_ids))):
        row.fixed_ip_id, row.host = None, None
        if row.auto_assigned:  # back to its pool
            row.project_id, row.auto_assigned = None, False
    session.flush()


def instance_at_address(session: Session, address: str) -> str | None:
    """The live instance a fixed IP (IPv4, or an IPv6 address made from a NIC's MAC) is
    allocated to, if any."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if parsed.version == 4:
        return session.scalar(sa.select(FixedIp.instance_uuid).join(
            Instance, Instance.uuid == FixedIp.instance_uuid).where(
            FixedIp.address == str(parsed), Instance.deleted == 0).limit(1))
    mac = addressing.eui64_mac(parsed)
    if mac is None:
        return None
    for uuid, cidr_v6 in session.execute(
            sa.select(Instance.uuid, Network.cidr_v6)
            .join(VirtualInterface, VirtualInterface.instance_uuid == Instance.uuid)
            .join(Network, Network.id == VirtualInterface.network_id)
            .where(Instance.deleted == 0, VirtualInterface.address == mac)):
        if cidr_v6 and parsed in ipaddress.ip_network(cidr_v6):
            return str(uuid)
    return None


def release_for_instance(session: Session, instance_uuid: str) -> list[Record]:
    """Free the instance's fixed IPs and NICs and take its floating IPs off it (the
    auto-assigned ones go back to their pool), on the caller's session, the one that
    deletes the instance; the network_info it had."""
    info = network_info(session, instance_uuid)
    _take_floating_off(session, sa.select(FixedIp.id).where(
        FixedIp.instance_uuid == instance_uuid))
    session.execute(sa.delete(FixedIp).where(FixedIp.instance_uuid == instance_uuid))
    session.execute(sa.delete(VirtualInterface).where(
        VirtualInterface.instance_uuid == instance_uuid))
    return info


def virtual_interfaces(instance_uuid: str) -> list[Record]:
    with db.reader() as s:
        return [{"id": v.uuid, "mac_address": v.address, "net_id": net_uuid}
                for v, net_uuid in s.execute(
                    sa.select(VirtualInterface, Network.uuid)
                    .join(Network, Network.id == VirtualInterface.network_id)
                    .where(VirtualInterface.instance_uuid == instance_uuid)
                    .order_by(VirtualInterface.position))]


# --- what a host's network agent serves --------------------------------------------

def host_config(host: str) -> Record:
    """What `host`'s agent plumbs: the networks of its instances and those it is the
    DHCP host of (each with the DHCP hosts it serves), the floating IPs of its instances
    and their ports with their ingress rules. One read for a whole host."""
    with db.reader() as s:
        on_host = sa.select(VirtualInterface.network_id).join(
            Instance, Instance.uuid == VirtualInterface.instance_uuid).where(
            Instance.host == host, Instance.deleted == 0)
        nets = list(s.scalars(sa.select(Network).where(_live(), sa.or_(
            Network.id.in_(on_host), Network.host == host)).order_by(Network.id)))
        remotes = _vteps_except(s, host)
        on_this_host = sa.and_(Instance.host == host, Instance.deleted == 0)
        return {"networks": [_with_dhcp_hosts(s, net, host, remotes) for net in nets],
                "floating_ips": _floating(s, on_this_host), "ports": _ports(s, on_this_host)}


def instance_ports(port_ids: list[str], host: str) -> Record:
    """What `host`'s agent adds for the live servers of these ports without re-reading
    the whole host: the servers' uuids, all their ports (as host_config has them), the
    DHCP hosts entries this host serves for them per network uuid, and their floating
    IPs."""
    with db.reader() as s:
        uuids = list(s.scalars(sa.select(Instance.uuid).distinct()
                               .join(VirtualInterface,
                                     VirtualInterface.instance_uuid == Instance.uuid)
                               .where(VirtualInterface.uuid.in_(port_ids),
                                      Instance.deleted == 0)))
        live = Instance.uuid.in_(uuids)
        dhcp: dict[str, list[Record]] = {}
        for net, server_host, entry in _dhcp_entries(s, live):
            if _serves_dhcp(net, host) and (server_host == host or not net.multi_host):
                dhcp.setdefault(net.uuid, []).append(entry)
        return {"instances": uuids, "ports": _ports(s, live),
                "dhcp_hosts": dhcp, "floating_ips": _floating(s, live)}


def _vteps_except(session: Session, host: str) -> list[str]:
    """The VXLAN endpoints of every other agent's host: each VXLAN network floods its
    broadcasts to all of them (a full mesh; hosts without the VNI drop them)."""
    return list(session.scalars(sa.select(NetworkHost.vtep).where(
        NetworkHost.host != host, NetworkHost.vtep.is_not(None)).order_by(NetworkHost.vtep)))


def report_host(host: str, vtep: str | None) -> bool:
    """Record a network agent's host and VTEP; whether the VTEP is new or changed."""
    if vtep is not None:
        try:
            vtep = str(ipaddress.ip_address(vtep))
        except ValueError:
            raise exception.Invalid(f"Invalid VXLAN endpoint address: {vtep}") from None
    try:
        return _record_host(host, vtep)
    except exception.Duplicate:  # the same host's report at the same moment: now an update
        return _record_host(host, vtep)


def forget_host(host: str) -> bool:
    """Drop a network agent's host (its service was deleted); whether it had a VTEP
    the other hosts flooded to."""
    with db.writer() as s:
        row = s.get(NetworkHost, host)
        if row is None:
            return False
        s.delete(row)
        return row.vtep is not None


def _record_host(host: str, vtep: str | None) -> bool:
    with db.writer() as s:
        row = s.get(NetworkHost, host)
        if row is None:
            s.add(NetworkHost(host=host, vtep=vtep))
            return vtep is not None
        changed, row.vtep = row.vtep != vtep, vtep
        return changed


def _ports(session: Session, instances: Any) -> list[Record]:
    """The ports of the servers `instances` selects, each with its tap, MAC, IPv4
    address and network range, its IPv6 ones where the network has a range and [network]
    use_ipv6 is on, and the ingress rules of its security groups (a constant number of
    queries)."""
    rows = list(session.execute(
        sa.select(VirtualInterface.uuid, FixedIp.address, Instance.uuid, Network.cidr,
                  VirtualInterface.address, Network.cidr_v6)
        .join(FixedIp, FixedIp.virtual_interface_id == VirtualInterface.id)
        .join(Instance, Instance.uuid == VirtualInterface.instance_uuid)
        .join(Network, Network.id == VirtualInterface.network_id)
        .where(instances).order_by(VirtualInterface.id, FixedIp.id)))
    rules = security_groups.rules_for_instances(session, sorted({r[2] for r in rows}))
    return [{"id": vif, "address": address, "instance_uuid": uuid, "cidr": cidr,
             "mac": mac, "devname": addressing.devname(vif), "rules": rules.get(uuid, []),
             **_v6(cidr_v6, mac)}
            for vif, address, uuid, cidr, mac, cidr_v6 in rows]


def _v6(cidr_v6: str | None, mac: str) -> Record:
    if not (cidr_v6 and CONF.network.use_ipv6):
        return {"address_v6": None, "cidr_v6": None}
    return {"address_v6": addressing.eui64(cidr_v6, mac), "cidr_v6": cidr_v6}


def _floating(session: Session, instances: Any) -> list[Record]:
    """The floating IPs of the servers `instances` selects, as an agent binds them: each
    with the fixed address it leads to, the interface it is bound on and its server."""
    query = (sa.select(FloatingIp.address, FloatingIp.interface, FixedIp.address,
                       Instance.uuid)
             .join(FixedIp, FixedIp.id == FloatingIp.fixed_ip_id)
             .join(Instance, Instance.uuid == FixedIp.instance_uuid)
             .where(instances).order_by(FloatingIp.id))
    return [{"address": address, "fixed_ip": fixed, "instance_uuid": uuid,
             "interface": interface or CONF.network.public_interface}
            for address, interface, fixed, uuid in session.execute(query)]


def network_config(network_uuid: str, host: str) -> Record:
    """One network as `host`'s agent plumbs it, with the DHCP hosts it serves there."""
    with db.reader() as s:
        return _with_dhcp_hosts(s, _network_row(s, network_uuid), host, _vteps_except(s, host))


def _serves_dhcp(net: Network, host: str) -> bool:
    return net.enable_dhcp and net.manager != "FlatManager" and (
        net.multi_host or net.host == host)


def _with_dhcp_hosts(session: Session, net: Network, host: str,
                     remotes: list[str]) -> Record:
    item = network_dict(net)
    item["dhcp_hosts"] = []
    item["remotes"] = remotes if net.vni is not None else []
    item["dhcp_server"] = _serves_dhcp(net, host)
    if not item["dhcp_server"]:
        return item
    served = sa.and_(VirtualInterface.network_id == net.id, Instance.deleted == 0)
    if net.multi_host:  # each host serves the servers on it now (moves included)
        served = sa.and_(served, Instance.host == host)
    item["dhcp_hosts"] = [entry for _net, _host, entry in _dhcp_entries(session, served)]
    return item


def _dhcp_entries(session: Session, where: Any) -> list[tuple[Network, str | None, Record]]:
    """The static DHCP leases of the fixed IPs `where` selects: (network, the server's
    host, the entry: MAC, IPv4 address, hostname and server)."""
    query = (sa.select(Network, VirtualInterface.address, FixedIp.address, Instance.hostname,
                       Instance.uuid, Instance.host)
             .join(VirtualInterface, VirtualInterface.network_id == Network.id)
             .join(FixedIp, FixedIp.virtual_interface_id == VirtualInterface.id)
             .join(Instance, Instance.uuid == VirtualInterface.instance_uuid)
             .where(where).order_by(FixedIp.id))
    return [(net, host, {"mac": mac, "ip": ip, "hostname": hostname or f"host-{uuid[:8]}",
                         "instance_uuid": uuid})
            for net, mac, ip, hostname, uuid, host in session.execute(query)]
