"""Models of the network domain: networks, the fixed IPs taken in them and the virtual
interfaces (a MAC on a network) of instances, the hosts of network agents, floating IPs,
and security groups (their rules, members and the default rules of new `default`
groups)."""
from __future__ import annotations

import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from conductor.db.base import Base, TimestampMixin


class Network(TimestampMixin, Base):
    """One L2 segment with its IPv4 subnet (and optional IPv6 one): a flat network on an
    admin's bridge, or a project's isolated network (VLAN or VXLAN segment)."""
    __tablename__ = "networks"
    __table_args__ = (Index("networks_project_id_deleted_idx", "project_id", "deleted"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    label: Mapped[str] = mapped_column(String(255))
    cidr: Mapped[str | None] = mapped_column(String(43), nullable=True)
    cidr_v6: Mapped[str | None] = mapped_column(String(43), nullable=True)
    netmask: Mapped[str | None] = mapped_column(String(39), nullable=True)
    netmask_v6: Mapped[str | None] = mapped_column(String(39), nullable=True)
    gateway: Mapped[str | None] = mapped_column(String(39), nullable=True)
    gateway_v6: Mapped[str | None] = mapped_column(String(39), nullable=True)
    broadcast: Mapped[str | None] = mapped_column(String(39), nullable=True)
    dhcp_start: Mapped[str | None] = mapped_column(String(39), nullable=True)
    dns1: Mapped[str | None] = mapped_column(String(39), nullable=True)
    dns2: Mapped[str | None] = mapped_column(String(39), nullable=True)
    bridge: Mapped[str] = mapped_column(String(15))
    bridge_interface: Mapped[str | None] = mapped_column(String(15), nullable=True)
    vlan: Mapped[int | None] = mapped_column(Integer, nullable=True)
    vni: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mtu: Mapped[int | None] = mapped_column(Integer, nullable=True)
    multi_host: Mapped[bool] = mapped_column(Boolean, default=False)
    enable_dhcp: Mapped[bool] = mapped_column(Boolean, default=True)
    # Which manager made it (FlatManager, FlatDHCPManager, VlanManager).
    manager: Mapped[str] = mapped_column(String(32))
    # None: shared by every project (flat networks); else the project it belongs to.
    project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The host whose network agent serves DHCP and routes for a single-host network
    # (set when its first server is placed).
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    priority: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)


class NetworkHost(TimestampMixin, Base):
    """A host whose network agent reported in, with the address its VXLAN links use
    (None: the agent has no vxlan_interface)."""
    __tablename__ = "network_hosts"
    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    vtep: Mapped[str | None] = mapped_column(String(39), nullable=True)


class VirtualInterface(TimestampMixin, Base):
    """A NIC of an instance: its MAC on one network, in the order the server asked."""
    __tablename__ = "virtual_interfaces"
    __table_args__ = (Index("virtual_interfaces_instance_uuid_idx", "instance_uuid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    address: Mapped[str] = mapped_column(String(17), unique=True)
    network_id: Mapped[int] = mapped_column(Integer, ForeignKey("networks.id"))
    instance_uuid: Mapped[str] = mapped_column(String(36))
    position: Mapped[int] = mapped_column(Integer, default=0)


class FixedIp(TimestampMixin, Base):
    """An address taken in a network: by a virtual interface (allocated), or kept from
    allocation by an admin (reserved). Free addresses have no row."""
    __tablename__ = "fixed_ips"
    __table_args__ = (
        UniqueConstraint("network_id", "address", name="uniq_fixed_ips0network_id0address"),
        Index("fixed_ips_instance_uuid_idx", "instance_uuid"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(39))
    network_id: Mapped[int] = mapped_column(Integer, ForeignKey("networks.id"))
    instance_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    virtual_interface_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("virtual_interfaces.id", ondelete="CASCADE"), nullable=True)
    allocated: Mapped[bool] = mapped_column(Boolean, default=False)
    reserved: Mapped[bool] = mapped_column(Boolean, default=False)
    # The host of the instance when allocated (multi_host DHCP serves it there).
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)


class FloatingIp(TimestampMixin, Base):
    """A public address of a pool: allocated to a project (project_id), associated with a
    server's fixed IP (fixed_ip_id), and bound on `interface` of the fixed IP's host."""
    __tablename__ = "floating_ips"
    __table_args__ = (
        UniqueConstraint("address", name="uniq_floating_ips0address"),
        Index("floating_ips_project_id_idx", "project_id"),
        Index("floating_ips_pool_idx", "pool"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(39))
    pool: Mapped[str] = mapped_column(String(255))
    interface: Mapped[str | None] = mapped_column(String(15), nullable=True)
    project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    fixed_ip_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("fixed_ips.id", ondelete="SET NULL"), nullable=True)
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    auto_assigned: Mapped[bool] = mapped_column(Boolean, default=False)


# --- security groups (nova-network's: ingress rules per group, egress always allowed) ---

class SecurityGroup(TimestampMixin, Base):
    """A project's named set of ingress rules (integer ids, as nova-network shows them).
    Every project has a `default` group, made on first need; deleting marks the row
    (deleted = id), so the name is free again."""
    __tablename__ = "security_groups"
    __table_args__ = (
        UniqueConstraint("project_id", "name", "deleted",
                         name="uniq_security_groups0project_id0name0deleted"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)


class SecurityGroupRule(TimestampMixin, Base):
    """One ingress rule of a group (parent_group_id): a protocol (tcp, udp, icmp; None:
    all) and port range (ICMP: type and code, -1 any) from a CIDR, or from the members of
    a source group of the same project (group_id)."""
    __tablename__ = "security_group_rules"
    __table_args__ = (
        Index("security_group_rules_parent_group_id_idx", "parent_group_id"),
        Index("security_group_rules_group_id_idx", "group_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    parent_group_id: Mapped[int] = mapped_column(Integer, ForeignKey("security_groups.id"))
    # As the client gave it (Nova echoes "TCP" back as "TCP"); compared case-blind.
    protocol: Mapped[str | None] = mapped_column(String(255), nullable=True)
    from_port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cidr: Mapped[str | None] = mapped_column(String(43), nullable=True)
    group_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("security_groups.id"), nullable=True)


class SecurityGroupInstanceAssociation(TimestampMixin, Base):
    """A server's membership of a group; gone with the server (its delete's
    transaction)."""
    __tablename__ = "security_group_instance_association"
    __table_args__ = (
        UniqueConstraint("security_group_id", "instance_uuid",
                         name="uniq_security_group_instance_association0group0instance"),
        Index("security_group_instance_association_instance_uuid_idx", "instance_uuid"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    security_group_id: Mapped[int] = mapped_column(Integer,
                                                   ForeignKey("security_groups.id"))
    instance_uuid: Mapped[str] = mapped_column(String(36))


class SecurityGroupDefaultRule(TimestampMixin, Base):
    """A rule an admin wants in every project's `default` group: copied in when that
    group is made (later changes do not reach existing groups, as in Nova)."""
    __tablename__ = "security_group_default_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    protocol: Mapped[str | None] = mapped_column(String(255), nullable=True)
    from_port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cidr: Mapped[str | None] = mapped_column(String(43), nullable=True)
