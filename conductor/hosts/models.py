"""Models of the hosts domain: services, compute nodes and host aggregates."""
from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conductor.db.base import Base, TimestampMixin


class Service(TimestampMixin, Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("host", "binary", name="uniq_services0host0binary"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(255), nullable=True)
    forced_down: Mapped[bool] = mapped_column(Boolean, default=False)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_up: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)


class ComputeNode(TimestampMixin, Base):
    """A hypervisor's capacity. Its usage is summed from the instances on it."""
    __tablename__ = "compute_nodes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    host: Mapped[str] = mapped_column(String(255), index=True)
    hypervisor_hostname: Mapped[str] = mapped_column(String(255), unique=True)
    hypervisor_type: Mapped[str] = mapped_column(String(64), default="fake")
    hypervisor_version: Mapped[int] = mapped_column(Integer, default=1000)
    host_ip: Mapped[str] = mapped_column(String(39), default="127.0.0.1")
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    local_gb: Mapped[int] = mapped_column(Integer)
    # [architecture, hypervisor type, vm mode] triples the node can run.
    supported_instances: Mapped[list[Any]] = mapped_column(JSON, default=list)
    cpu_allocation_ratio: Mapped[float] = mapped_column(Float, default=16.0)
    ram_allocation_ratio: Mapped[float] = mapped_column(Float, default=1.5)
    disk_allocation_ratio: Mapped[float] = mapped_column(Float, default=1.0)


class Aggregate(TimestampMixin, Base):
    """A named set of hosts with metadata (an availability zone, allocation ratios,
    keys that flavors and tenants are matched against)."""
    __tablename__ = "aggregates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    metadata_items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hosts: Mapped[list["AggregateHost"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AggregateHost.id")


class AggregateHost(Base):
    __tablename__ = "aggregate_hosts"
    __table_args__ = (UniqueConstraint("aggregate_id", "host",
                                       name="uniq_aggregate_hosts0aggregate_id0host"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    aggregate_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("aggregates.id", ondelete="CASCADE"))
    host: Mapped[str] = mapped_column(String(255), index=True)
