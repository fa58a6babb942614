"""The metadata service's cache: an instance read while the conductor said it changed is
not kept (it may be the deleted instance an address is being given away from)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from metadata_api.service import guests


class Conductor:
    def __init__(self) -> None:
        self.reads = 0
        self.during_read: Any = None

    def instance_for_guest(self, ctx: Any, **key: str) -> dict[str, Any]:
        self.reads += 1
        if self.during_read is not None:
            self.during_read()
        return {"uuid": "i-1", "project_id": "p"}


@pytest.fixture
def conductor(monkeypatch: pytest.MonkeyPatch) -> Iterator[Conductor]:
    fake = Conductor()
    monkeypatch.setattr(guests, "conductor", fake)
    guests.reset()
    yield fake
    guests.reset()


def test_a_read_is_kept_until_the_instance_changes(conductor: Conductor) -> None:
    caller = guests.Caller(address="10.0.0.5")
    guests.guest(caller)
    guests.guest(caller)
    assert conductor.reads == 1
    guests.forget("i-1")
    guests.guest(caller)
    assert conductor.reads == 2


def test_a_read_during_a_change_is_not_kept(conductor: Conductor) -> None:
    caller = guests.Caller(address="10.0.0.5")
    conductor.during_read = lambda: guests.forget("i-1")
    guests.guest(caller)
    conductor.during_read = None
    guests.guest(caller)
    assert conductor.reads == 2
