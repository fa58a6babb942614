"""The key pair endpoint: key pairs owned by users, limited by the key_pairs quota. The
rows are read and written by conductor/compute/queries/keypairs.py."""
from __future__ import annotations

from typing import Any

from conductor.compute.queries import keypairs as queries
from conductor.rpcapi.compute import ComputeConductorAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


def _room_for_one(limits: dict[str, int], usage: dict[str, int]) -> None:
    if limits["key_pairs"] >= 0 and usage["key_pairs"] + 1 > limits["key_pairs"]:
        raise exception.QuotaExceeded("Quota exceeded, too many key pairs.")


class KeypairEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def keypair_create(self, ctx: RequestContext, user_id: str, project_id: str,
                       values: dict[str, Any]) -> dict[str, Any]:
        return queries.create_keypair(user_id, project_id, values, check=_room_for_one)

    def keypair_get(self, ctx: RequestContext, user_id: str, name: str) -> dict[str, Any]:
        return queries.keypair(user_id, name)

    def keypair_list(self, ctx: RequestContext, user_id: str, limit: int | None = None,
                     marker: str | None = None) -> list[dict[str, Any]]:
        return queries.keypairs(user_id, limit, marker)

    def keypair_delete(self, ctx: RequestContext, user_id: str, name: str) -> None:
        queries.delete_keypair(user_id, name)
