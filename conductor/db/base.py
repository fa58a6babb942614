"""The declarative base every domain's models derive from, and the columns they share.

Its own module so that the domain models (conductor/*/models.py) and
conductor/db/models.py, which gathers them, do not import each other.
"""
from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class TimestampMixin:
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow)
