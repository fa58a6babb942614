"""SQL of key pairs, owned by users and counted against the key_pairs quota."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.limits import QuotaCheck
from conductor.compute.models import KeyPair
from conductor.compute.queries import quotas
from conductor.db import api as db
from stratus import exception


def _keypair_row(session: Session, user_id: str, name: str) -> KeyPair:
    row = session.scalar(sa.select(KeyPair).where(KeyPair.user_id == user_id,
                                                  KeyPair.name == name))
    if row is None:
        raise exception.KeypairNotFound(name=name, user_id=user_id)
    return row


def _exists(session: Session, user_id: str, name: str) -> bool:
    return session.scalar(sa.select(KeyPair.id).where(KeyPair.user_id == user_id,
                                                      KeyPair.name == name)) is not None


def create_keypair(user_id: str, project_id: str, values: dict[str, Any],
                   check: QuotaCheck) -> dict[str, Any]:
    """Insert the user's key pair once `check` passed; Duplicate if the name is taken."""
    with db.writer() as s:
        check(quotas.project_limits(s, project_id),
              quotas.project_usage(s, project_id, user_id))
        if _exists(s, user_id, values["name"]):
            raise exception.Duplicate(reason=f"Key pair '{values['name']}' already exists.")
        row = KeyPair(user_id=user_id, **values)
        s.add(row)
        s.flush()
        return db.to_dict(row)


def keypair(user_id: str, name: str) -> dict[str, Any]:
    with db.reader() as s:
        return db.to_dict(_keypair_row(s, user_id, name))


def keypairs(user_id: str, limit: int | None = None,
             marker: str | None = None) -> list[dict[str, Any]]:
    """The user's key pairs by name, after the one named `marker`."""
    with db.reader() as s:
        query = sa.select(KeyPair).where(KeyPair.user_id == user_id).order_by(KeyPair.name)
        if marker is not None:
            if not _exists(s, user_id, marker):
                raise exception.Invalid(reason=f"marker [{marker}] not found")
            query = query.where(KeyPair.name > marker)
        if limit is not None:
            query = query.limit(limit)
        return [db.to_dict(r) for r in s.scalars(query)]


def delete_keypair(user_id: str, name: str) -> None:
    with db.writer() as s:
        s.delete(_keypair_row(s, user_id, name))
