"""Key pairs: import, generate, list, show, delete, behind the /os-keypairs handlers."""
from __future__ import annotations

from typing import Any

from compute_api import keypair_crypto
from compute_api.service.clients import conductor
from stratus.context import RequestContext


def list_keypairs(ctx: RequestContext, user_id: str, limit: int | None,
                  marker: str | None) -> list[dict[str, Any]]:
    return conductor.keypair_list(ctx, user_id=user_id, limit=limit, marker=marker)


def keypair_values(name: str, key_type: str, public_key: str) -> dict[str, Any]:
    return {"name": name, "public_key": public_key, "type": key_type,
            "fingerprint": keypair_crypto.fingerprint(public_key, key_type)}


def create_keypair(ctx: RequestContext, user_id: str, name: str, key_type: str,
                   public_key: str | None) -> dict[str, Any]:
    """Import `public_key`, or (None) generate a key pair; returns {"keypair": row,
    "private_key": the generated private key, None when imported}."""
    private_key = None
    if public_key is None and key_type == "x509":
        private_key, public_key = keypair_crypto.generate_x509(user_id)
    elif public_key is None:
        private_key, public_key = keypair_crypto.generate_ssh()
    created = conductor.keypair_create(ctx, user_id=user_id, project_id=ctx.project_id,
                                       values=keypair_values(name, key_type, public_key))
    return {"keypair": created, "private_key": private_key}


def get_keypair(ctx: RequestContext, user_id: str, name: str) -> dict[str, Any]:
    return conductor.keypair_get(ctx, user_id=user_id, name=name)


def delete_keypair(ctx: RequestContext, user_id: str, name: str) -> None:
    conductor.keypair_delete(ctx, user_id=user_id, name=name)
