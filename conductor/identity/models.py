"""Models of the identity domain: projects, users, roles and their assignments, token
revocation events and the service catalog."""
from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from conductor.db.base import Base, TimestampMixin


class Project(TimestampMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("domain_id", "name", name="uniq_projects0domain0name"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    domain_id: Mapped[str] = mapped_column(String(64), default="default")
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_domain: Mapped[bool] = mapped_column(Boolean, default=False)


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("domain_id", "name", name="uniq_users0domain0name"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(String(64), default="default")
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    default_project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class Role(Base):
    __tablename__ = "roles"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A role implies others (admin -> member -> reader), as Keystone's
    # bootstrap sets up; the implied names are stored here.
    implies: Mapped[list[Any]] = mapped_column(JSON, default=list)


class RoleAssignment(Base):
    __tablename__ = "role_assignments"
    user_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    role_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)


class RevocationEvent(Base):
    """Tokens that match every set field and were issued at or before `issued_before`
    (microseconds since the epoch) no longer authenticate (Keystone's revocation events).
    An event is kept until no token it could match is still unexpired."""
    __tablename__ = "revocation_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    audit_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    role_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    issued_before: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)


class CatalogEndpoint(Base):
    __tablename__ = "catalog_endpoints"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_type: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(String(64))
    interface: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(255))
