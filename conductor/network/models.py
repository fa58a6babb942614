"""Models of the network domain: networks, the fixed IPs taken in them and the virtual
interfaces (a MAC on a network) of instances."""
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
