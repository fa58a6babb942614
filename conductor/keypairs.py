"""Key pairs, owned by users and limited by the key_pairs quota."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from conductor import quotas
from conductor.db import api as db
from conductor.db.models import KeyPair
from conductor.rpcapi import ConductorAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


class KeypairEndpoint:
    target = endpoint_target(ConductorAPI)

    def keypair_create(self, ctx: RequestContext, user_id: str, project_id: str,
                       values: dict[str, Any]) -> dict[str, Any]:
        with db.writer() as s:
            limits = quotas.project_limits(s, project_id)
            usage = quotas.project_usage(s, project_id, user_id)
            if limits["key_pairs"] >= 0 and usage["key_pairs"] + 1 > limits["key_pairs"]:
                raise exception.QuotaExceeded("Quota exceeded, too many key pairs.")
            exists = s.scalar(sa.select(KeyPair.id).where(KeyPair.user_id == user_id,
                                                          KeyPair.name == values["name"]))
            if exists is not None:
                raise exception.Duplicate(
                    reason=f"Key pair '{values['name']}' already exists.")
            row = KeyPair(user_id=user_id, **values)
            s.add(row)
            s.flush()
            return db.to_dict(row)

    def keypair_get(self, ctx: RequestContext, user_id: str, name: str) -> dict[str, Any]:
        with db.reader() as s:
            row = s.scalar(sa.select(KeyPair).where(KeyPair.user_id == user_id,
                                                    KeyPair.name == name))
            if row is None:
                raise exception.KeypairNotFound(name=name, user_id=user_id)
            return db.to_dict(row)

    def keypair_list(self, ctx: RequestContext, user_id: str, limit: int | None = None,
                     marker: str | None = None) -> list[dict[str, Any]]:
        with db.reader() as s:
            query = sa.select(KeyPair).where(KeyPair.user_id == user_id).order_by(KeyPair.name)
            if marker is not None:
                if s.scalar(sa.select(KeyPair.id).where(KeyPair.user_id == user_id,
                                                        KeyPair.name == marker)) is None:
                    raise exception.Invalid(reason=f"marker [{marker}] not found")
                query = query.where(KeyPair.name > marker)
            if limit is not None:
                query = query.limit(limit)
            return [db.to_dict(r) for r in s.scalars(query)]

    def keypair_delete(self, ctx: RequestContext, user_id: str, name: str) -> None:
        with db.writer() as s:
            row = s.scalar(sa.select(KeyPair).where(KeyPair.user_id == user_id,
                                                    KeyPair.name == name))
            if row is None:
                raise exception.KeypairNotFound(name=name, user_id=user_id)
            s.delete(row)
