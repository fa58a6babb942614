"""Models of the image domain: image records (the bytes live in the image service's
store)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from conductor.db.base import Base, TimestampMixin


class Image(TimestampMixin, Base):
    __tablename__ = "images"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(30), default="queued")
    visibility: Mapped[str] = mapped_column(String(16), default="shared")
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    disk_format: Mapped[str | None] = mapped_column(String(20), nullable=True)
    container_format: Mapped[str | None] = mapped_column(String(20), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    virtual_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    checksum: Mapped[str | None] = mapped_column(String(32), nullable=True)
    os_hash_algo: Mapped[str | None] = mapped_column(String(64), nullable=True)
    os_hash_value: Mapped[str | None] = mapped_column(String(128), nullable=True)
    min_disk: Mapped[int] = mapped_column(Integer, default=0)
    min_ram: Mapped[int] = mapped_column(Integer, default=0)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    os_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    location: Mapped[str | None] = mapped_column(String(1024), nullable=True)
