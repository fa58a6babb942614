"""Each API process's copy of the token revocation events (Keystone's model).

An event revokes every token that matches all of its set fields (audit id, user, project,
role) and was issued at or before its `issued_before`. The conductor records one when a
user, project or role is deleted or disabled, a role assignment or a password changes, or
a token is revoked. The copy is brought up to date with the events newer than the last one
seen, at most every `[identity] revocation_cache_time` seconds. Where they come from is
the API's to say: its app factory calls `revocations.use(fetch)` (fetch(after_id) returns
the event rows newer than after_id).
"""
from __future__ import annotations

import dataclasses
import datetime
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from stratus import exception, tokens
from stratus.config import CONF

FIELDS = ("audit_id", "user_id", "project_id", "role_id")
Key = tuple[str, str]
Fetch = Callable[[int], list[dict[str, Any]]]


@dataclasses.dataclass(frozen=True)
class Event:
    id: int
    issued_before: int
    expires_at: datetime.datetime
    match: tuple[tuple[str, str], ...]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Event:
        return cls(id=row["id"], issued_before=row["issued_before"],
                   expires_at=datetime.datetime.fromisoformat(row["expires_at"]),
                   match=tuple((f, row[f]) for f in FIELDS if row.get(f)))

    @property
    def key(self) -> Key:
        return self.match[0]

    def revokes(self, token: dict[str, Any], issued_at: int) -> bool:
        if issued_at > self.issued_before:
            return False
        return all(value in _token_values(token, field) for field, value in self.match)


def _token_values(token: dict[str, Any], field: str) -> tuple[str, ...]:
    if field == "audit_id":
        return tuple(v for v in (token.get("audit_id"), token.get("parent_audit_id")) if v)
    if field == "role_id":
        return tuple(token.get("role_ids") or ())
    value = token.get(field)
    return (value,) if value else ()


def _token_keys(token: dict[str, Any]) -> Iterator[Key]:
    for field in FIELDS:
        for value in _token_values(token, field):
            yield field, value


def _no_source(after_id: int) -> list[dict[str, Any]]:
    raise exception.ServiceUnavailable(
        reason="Token revocations cannot be checked: no revocation source is set.")


class RevocationCache:
    def __init__(self, fetch: Fetch = _no_source) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._events: dict[Key, list[Event]] = {}
        self._soonest_expiry: datetime.datetime | None = None
        self._last_id = 0
        self._fetched_at = float("-inf")
        self._failure: tuple[float, str] | None = None

    def use(self, fetch: Fetch) -> None:
        """Fetch events with `fetch` from now on (the app factory of an API says)."""
        self._fetch = fetch

    def is_revoked(self, token: dict[str, Any]) -> bool:
        """Whether an event revokes `token` (a verified token payload)."""
        self._refresh_if_stale()
        issued_at = tokens.micros(datetime.datetime.fromisoformat(token["issued_at"]))
        events = self._events
        return any(event.revokes(token, issued_at)
                   for key in _token_keys(token) for event in events.get(key, ()))

    def expire(self) -> None:
        """Fetch before the next check (this process just made an event)."""
        self._fetched_at = float("-inf")

    def clear(self) -> None:
        with self._lock:
            self._events, self._last_id, self._soonest_expiry = {}, 0, None
            self._fetched_at = float("-inf")

    def _refresh_if_stale(self) -> None:
        if time.monotonic() - self._fetched_at <= CONF.identity.revocation_cache_time:
            return
        waiting_since = time.monotonic()
        with self._lock:
            if time.monotonic() - self._fetched_at <= CONF.identity.revocation_cache_time:
                return
            if self._failure is not None and self._failure[0] >= waiting_since:
                # The fetch this thread waited for failed: fail as fast, not in turn.
                raise exception.ServiceUnavailable(reason=self._failure[1])
            started = time.monotonic()
            try:
                rows = self._fetch(self._last_id)
            except exception.StratusError as e:
                self._failure = (time.monotonic(), e.message)
                raise
            if rows or self._expiry_passed():
                self._events = self._merged([Event.from_row(r) for r in rows])
            self._last_id = max([self._last_id, *(r["id"] for r in rows)])
            self._fetched_at = started

    def _expiry_passed(self) -> bool:
        """Whether an event held has expired (else the held events stand as they are)."""
        return self._soonest_expiry is not None and self._soonest_expiry < tokens.utcnow()

    def _merged(self, new: list[Event]) -> dict[Key, list[Event]]:
        """The current events without the expired ones, plus `new` (copied: readers go on
        using the old dict without a lock)."""
        now = tokens.utcnow()
        merged: dict[Key, list[Event]] = {}
        for event in [e for group in self._events.values() for e in group] + new:
            if event.expires_at >= now:
                merged.setdefault(event.key, []).append(event)
        self._soonest_expiry = min((e.expires_at for group in merged.values() for e in group),
                                   default=None)
        return merged


revocations = RevocationCache()


def verified(token_id: str) -> dict[str, Any]:
    """The payload of a genuine, unexpired and unrevoked token; 401 otherwise."""
    payload = tokens.verify(token_id)
    if revocations.is_revoked(payload):
        raise exception.NotAuthenticated("The token has been revoked.")
    return payload
