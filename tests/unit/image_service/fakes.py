"""Fakes for the image service layer's unit tests (the client is tests/unit/fakes.py)."""
from __future__ import annotations

import pytest

from tests.unit.fakes import FakeConductor


def install(monkeypatch: pytest.MonkeyPatch, fake: FakeConductor) -> FakeConductor:
    """`fake` as the client of the image service layer."""
    from image_api.service import images, scrubber
    monkeypatch.setattr(images, "conductor", fake)
    monkeypatch.setattr(scrubber, "conductor", fake)
    return fake
