"""Models of the compute domain: flavors, key pairs, instances and their faults, quotas,
instance actions, server groups, migrations and task logs."""
from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conductor.db.base import Base, TimestampMixin, utcnow


class Flavor(TimestampMixin, Base):
    __tablename__ = "flavors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flavorid: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    memory_mb: Mapped[int] = mapped_column(Integer)
    vcpus: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer, default=0)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    rxtx_factor: Mapped[float] = mapped_column(Float, default=1.0)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    extra_specs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    projects: Mapped[list["FlavorProject"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")


class FlavorProject(Base):
    __tablename__ = "flavor_projects"
    flavor_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("flavors.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class KeyPair(TimestampMixin, Base):
    __tablename__ = "key_pairs"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uniq_key_pairs0user_id0name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[str] = mapped_column(String(255))
    public_key: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16), default="ssh")


class Instance(TimestampMixin, Base):
    __tablename__ = "instances"
    __table_args__ = (
        Index("instances_project_id_deleted_idx", "project_id", "deleted"),
        Index("instances_host_deleted_idx", "host", "deleted"),
        Index("instances_updated_at_idx", "updated_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    image_ref: Mapped[str] = mapped_column(String(255), default="")
    flavorid: Mapped[str] = mapped_column(String(255), default="")
    flavor: Mapped[dict[str, Any]] = mapped_column(JSON)
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    vm_state: Mapped[str] = mapped_column(String(32))
    task_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    power_state: Mapped[int] = mapped_column(Integer, default=0)
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    node: Mapped[str | None] = mapped_column(String(255), nullable=True)
    availability_zone: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The zone the instance must stay in (asked for at create or unshelve; None: any), as
    # its request spec has it; shown from 2.96.
    pinned_availability_zone: Mapped[str | None] = mapped_column(String(255), nullable=True)
    launched_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    terminated_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    key_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    key_data: Mapped[str | None] = mapped_column(Text, nullable=True)
    user_data: Mapped[str | None] = mapped_column(Text, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    access_ip_v4: Mapped[str | None] = mapped_column(String(39), nullable=True)
    access_ip_v6: Mapped[str | None] = mapped_column(String(39), nullable=True)
    config_drive: Mapped[str] = mapped_column(String(16), default="")
    hostname: Mapped[str | None] = mapped_column(String(255), nullable=True)
    kernel_id: Mapped[str] = mapped_column(String(255), default="")
    ramdisk_id: Mapped[str] = mapped_column(String(255), default="")
    root_device_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reservation_id: Mapped[str] = mapped_column(String(255))
    launch_index: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # "owner" or "admin": an owner cannot unlock what an admin locked.
    locked_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    locked_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The snapshot a shelved instance is unshelved from.
    shelved_image_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Set by changePassword for the metadata service to give the guest; never in the
    # instance dicts that travel over RPC.
    admin_pass: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What the guest posted to the metadata service's password path (once; encrypted by
    # the guest with the key pair), for os-server-password. Not in instance dicts either.
    server_password: Mapped[str | None] = mapped_column(Text, nullable=True)
    metadata_items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The properties of the image the instance runs (as of its boot or rebuild) and the
    # scheduler hints it was created with; copies of its request spec's, for listings.
    image_properties: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    scheduler_hints: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    request_spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The instance's NICs as the network domain allocated them (a copy it writes in the
    # same transaction as the fixed IPs), so that views need no join.
    network_info: Mapped[list[Any] | None] = mapped_column(JSON, default=list, nullable=True)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    # Bumped on every write: concurrent writers compare-and-swap on it.
    version: Mapped[int] = mapped_column(Integer, default=1)


class InstanceFault(Base):
    __tablename__ = "instance_faults"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_uuid: Mapped[str] = mapped_column(String(36), index=True)
    code: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


class Quota(Base):
    __tablename__ = "quotas"
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource: Mapped[str] = mapped_column(String(64), primary_key=True)
    hard_limit: Mapped[int] = mapped_column(Integer)


class QuotaClass(Base):
    __tablename__ = "quota_classes"
    class_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource: Mapped[str] = mapped_column(String(64), primary_key=True)
    hard_limit: Mapped[int] = mapped_column(Integer)


class InstanceAction(Base):
    """One user request on an instance (create, reboot, ...), as os-instance-actions shows."""
    __tablename__ = "instance_actions"
    __table_args__ = (Index("instance_actions_uuid_request_idx", "instance_uuid", "request_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    request_id: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    start_time: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    finish_time: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    message: Mapped[str | None] = mapped_column(String(255), nullable=True)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow)
    events: Mapped[list["InstanceActionEvent"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="InstanceActionEvent.id")


class InstanceActionEvent(Base):
    __tablename__ = "instance_action_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instance_actions.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(255))
    start_time: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    finish_time: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    result: Mapped[str | None] = mapped_column(String(255), nullable=True)
    traceback: Mapped[str | None] = mapped_column(Text, nullable=True)
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    details: Mapped[str | None] = mapped_column(Text, nullable=True)


class InstanceGroup(TimestampMixin, Base):
    """A server group: its members are placed by `policy` (affinity, anti-affinity or
    their soft forms); `rules` refine it (max_server_per_host)."""
    __tablename__ = "instance_groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(32))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    members: Mapped[list["InstanceGroupMember"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="InstanceGroupMember.id")


class InstanceGroupMember(Base):
    __tablename__ = "instance_group_members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instance_groups.id", ondelete="CASCADE"), index=True)
    # An instance belongs to one group at most.
    instance_uuid: Mapped[str] = mapped_column(String(36), unique=True)


class TaskLog(TimestampMixin, Base):
    """One run of a periodic task on a host for a period, as Nova's task_log: the compute
    agents' instance usage audit (task_name `instance_usage_audit`) writes one per host and
    audit period, and /os-instance_usage_audit_log reports them."""
    __tablename__ = "task_log"
    __table_args__ = (
        UniqueConstraint("task_name", "host", "period_beginning", "period_ending",
                         name="uniq_task_log0task_name0host0period_beginning0period_ending"),
        Index("task_log_task_name_period_idx", "task_name", "period_beginning",
              "period_ending"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_name: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(255))
    host: Mapped[str] = mapped_column(String(255))
    period_beginning: Mapped[datetime.datetime] = mapped_column(DateTime)
    period_ending: Mapped[datetime.datetime] = mapped_column(DateTime)
    message: Mapped[str] = mapped_column(String(255), default="")
    task_items: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)


class Migration(TimestampMixin, Base):
    """One move of an instance between nodes (a resize, a cold migration), as Nova's
    migrations table and os-migrations show it. While a move is open the node it is not
    currently on keeps the resources it needs there (`held_*` on `held_node`): the
    destination until the instance lands, then the source until the move is confirmed or
    reverted."""
    __tablename__ = "migrations"
    __table_args__ = (
        Index("migrations_instance_uuid_status_idx", "instance_uuid", "status"),
        Index("migrations_held_node_idx", "held_node"),
        Index("migrations_updated_at_idx", "updated_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    migration_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    source_compute: Mapped[str | None] = mapped_column(String(255), nullable=True)
    source_node: Mapped[str | None] = mapped_column(String(255), nullable=True)
    dest_compute: Mapped[str | None] = mapped_column(String(255), nullable=True)
    dest_node: Mapped[str | None] = mapped_column(String(255), nullable=True)
    dest_host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    old_instance_type_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    new_instance_type_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    old_flavor: Mapped[dict[str, Any]] = mapped_column(JSON)
    new_flavor: Mapped[dict[str, Any]] = mapped_column(JSON)
    # ACTIVE or STOPPED: what the instance is again once the move is over.
    old_vm_state: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(64))
    project_id: Mapped[str] = mapped_column(String(64))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    held_node: Mapped[str | None] = mapped_column(String(255), nullable=True)
    held_vcpus: Mapped[int] = mapped_column(Integer, default=0)
    held_memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    held_disk_gb: Mapped[int] = mapped_column(Integer, default=0)


class InstanceTag(Base):
    """One tag of an instance (2.26): the instance's `tags` column is what views show,
    these rows what list filters match on; conductor/compute/queries/tags.py writes both."""
    __tablename__ = "instance_tags"
    __table_args__ = (Index("instance_tags_tag_idx", "tag"),)
    instance_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)
