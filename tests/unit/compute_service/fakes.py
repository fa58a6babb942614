"""A stand-in for the conductor client of compute_api/service, for unit tests."""
from __future__ import annotations

from typing import Any

import pytest

from stratus.context import RequestContext
from tests.unit.fakes import FakeConductor

MEMBER = RequestContext(user_id="u1", project_id="p1", roles=["member", "reader"])
ADMIN = RequestContext(user_id="a1", project_id="p0", roles=["admin", "member", "reader"])


def stub(monkeypatch: pytest.MonkeyPatch, module: Any, **answers: Any) -> FakeConductor:
    """Replace the conductor client `module` (a compute_api.service module) uses."""
    fake = FakeConductor(strict=True, **answers)
    monkeypatch.setattr(module, "conductor", fake)
    return fake


class FakeGroup:
    """A service-group driver that calls the services of `up_hosts` alive."""

    def __init__(self, up_hosts: set[str]) -> None:
        self.up_hosts = up_hosts

    def is_up(self, svc: dict[str, Any]) -> bool:
        return svc["host"] in self.up_hosts

    def up_until_many(self, services: list[dict[str, Any]]) -> list[float]:
        """When each service stops being alive: never, or long ago."""
        return [float("inf") if s["host"] in self.up_hosts else float("-inf")
                for s in services]
