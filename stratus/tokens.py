"""Signed, self-contained tokens (the idea of Keystone's Fernet tokens).

A token carries who, which project and which roles, and expires on its own.
Any API process holding the shared secret validates it without a database
round trip; revocation is checked against the conductor's revocation list.
"""
from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import json
import os
import secrets
import threading
from typing import Any

from stratus import exception
from stratus.config import CONF, state_file

_secret_lock = threading.Lock()
_secret: bytes | None = None


def _load_secret() -> bytes:
    global _secret
    with _secret_lock:
        if _secret is None:
            if CONF.identity.token_secret:
                _secret = CONF.identity.token_secret.encode()
            else:
                path = state_file("token_secret")
                if not os.path.exists(path):
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "w") as f:
                        f.write(secrets.token_hex(32))
                with open(path) as f:
                    _secret = f.read().strip().encode()
        return _secret


def reset_secret() -> None:
    global _secret
    with _secret_lock:
        _secret = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


EPOCH = datetime.datetime(1970, 1, 1)


def micros(moment: datetime.datetime) -> int:
    """A naive UTC time as integer microseconds since the epoch (exact, unlike floats)."""
    return (moment - EPOCH) // datetime.timedelta(microseconds=1)


def issue(payload: dict[str, Any]) -> str:
    """Sign `payload`, which must hold `expires_at` as an ISO time."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    sig = _b64(hmac.new(_load_secret(), body.encode(), hashlib.sha256).digest())
    return f"{body}.{sig}"


def verify(token: str) -> dict[str, Any]:
    """The payload of a genuine, unexpired token; NotAuthenticated otherwise."""
    try:
        body, sig = token.split(".")
        want = _b64(hmac.new(_load_secret(), body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(sig, want):
            raise ValueError("bad signature")
        payload = json.loads(_unb64(body))
        expires = datetime.datetime.fromisoformat(payload["expires_at"])
    except (ValueError, KeyError, TypeError) as e:
        raise exception.NotAuthenticated("The request you have made requires "
                                         "authentication.") from e
    if expires <= utcnow():
        raise exception.NotAuthenticated("The token has expired.")
    return payload


def new_audit_id() -> str:
    return _b64(secrets.token_bytes(16))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 60000)
    return f"pbkdf2_sha256$60000${_b64(salt)}${_b64(digest)}"


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def check_password(password: str, stored: str | None) -> bool:
    if not stored:
        # As long as a real check, so a login does not tell whether the user exists.
        check_password(password, _dummy_hash())
        return False
    try:
        _algo, rounds, salt, digest = stored.split("$")
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), _unb64(salt), int(rounds))
    except ValueError:
        return False
    return hmac.compare_digest(_b64(got), digest)
