"""Fakes for the identity service layer's unit tests (the client is tests/unit/fakes.py)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.unit.fakes import FakeConductor


class FakeRevocations:
    def __init__(self, revoked: bool = False) -> None:
        self.revoked = revoked
        self.expired = 0

    def is_revoked(self, payload: dict[str, Any]) -> bool:
        return self.revoked

    def expire(self) -> None:
        self.expired += 1


def install(monkeypatch: pytest.MonkeyPatch, fake: FakeConductor,
            revocations: FakeRevocations | None = None) -> FakeRevocations:
    """`fake` as the client of every service module, `revocations` as their cache."""
    from identity_api.service import resources, tokens
    from stratus.api import revocations as cache
    revocations = revocations or FakeRevocations()
    for module in (resources, tokens):
        monkeypatch.setattr(module, "conductor", fake)
        monkeypatch.setattr(module, "revocations", revocations)
    monkeypatch.setattr(cache, "revocations", revocations)  # what `verified` checks
    return revocations
