"""Quota updates, whose usage a caller may see, and /limits, with a fake conductor."""
from __future__ import annotations

from typing import Any

import pytest

from compute_api import service
from compute_api.service import quotas
from stratus import exception
from stratus.context import RequestContext
from tests.unit.compute_service.fakes import ADMIN, MEMBER, stub


@pytest.mark.parametrize("ctx,requested,expected", [
    (MEMBER, None, "u1"),
    (MEMBER, "", "u1"),
    (MEMBER, "u1", "u1"),
    (ADMIN, None, "a1"),
    (ADMIN, "u1", "u1"),
])
def test_usage_user(ctx: RequestContext, requested: str | None, expected: str) -> None:
    assert quotas.usage_user(ctx, requested) == expected


def test_only_admins_see_another_users_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stub(monkeypatch, quotas, quota_usage={})
    with pytest.raises(exception.Forbidden, match="another user's quota usage"):
        service.quota_usage(MEMBER, "p1", "u2")
    assert fake.calls == []
    service.quota_usage(ADMIN, "p1", "u2")
    assert fake.calls == [("quota_usage", {"project_id": "p1", "user_id": "u2"})]


@pytest.mark.parametrize("quota_set,values,force", [
    ({}, {}, False),
    ({"instances": 5}, {"instances": 5}, False),
    ({"cores": "20", "ram": 1024}, {"cores": 20, "ram": 1024}, False),
    ({"instances": -1, "force": True}, {"instances": -1}, True),
    ({"instances": 1, "force": "false"}, {"instances": 1}, False),
    ({"key_pairs": 3, "force": "True"}, {"key_pairs": 3}, True),
])
def test_update_values(quota_set: dict[str, Any], values: dict[str, int],
                       force: bool) -> None:
    assert quotas.update_values(quota_set) == (values, force)


def test_update_quotas_leaves_the_request_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stub(monkeypatch, quotas, quota_update={"instances": 5})
    request = {"instances": "5", "force": True}
    assert service.update_quotas(ADMIN, "p1", request) == {"instances": 5}
    assert request == {"instances": "5", "force": True}
    assert fake.calls == [("quota_update", {"project_id": "p1", "values": {"instances": 5},
                                            "force": True})]


def test_limits_need_a_project(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stub(monkeypatch, quotas, quota_usage={"instances": {"limit": 10, "in_use": 0}})
    with pytest.raises(exception.Invalid, match="project-scoped token"):
        service.limits_usage(MEMBER, None)
    service.limits_usage(MEMBER, "p9")
    assert fake.calls == [("quota_usage", {"project_id": "p9", "user_id": "u1"})]
