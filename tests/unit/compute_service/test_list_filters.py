"""Query parameters of GET /servers as instance_list filters (policy in code only)."""
from __future__ import annotations

from typing import Any

import pytest

from compute_api import service
from compute_api.service.servers import list_filters
from stratus import exception
from stratus.context import RequestContext
from stratus.objects import states

MEMBER = RequestContext(user_id="u1", project_id="p1", roles=["member", "reader"])
ADMIN = RequestContext(user_id="a1", project_id="p0", roles=["admin", "member", "reader"])


@pytest.mark.parametrize("ctx,params,expected", [
    (MEMBER, {}, {"project_id": "p1"}),
    (MEMBER, {"host": "h1", "name": "web"}, {"project_id": "p1", "name": "web"}),
    (ADMIN, {"host": "h1"}, {"project_id": "p0", "host": "h1"}),
    (ADMIN, {"all_tenants": "1"}, {}),
    (ADMIN, {"all_tenants": "false"}, {"project_id": "p0"}),
    (ADMIN, {"all_tenants": "true", "tenant_id": "p9"}, {"project_id": "p9"}),
    (MEMBER, {"image": "http://x/images/i1/", "flavor": "f1"},
     {"project_id": "p1", "image_ref": "i1", "flavorid": "f1"}),
    (MEMBER, {"status": "active"}, {"project_id": "p1", "vm_state": [states.ACTIVE]}),
    (MEMBER, {"changes-since": "2024-01-02T03:04:05Z"},
     {"project_id": "p1", "changes_since": "2024-01-02T03:04:05+00:00"}),
    (ADMIN, {"deleted": "True"}, {"project_id": "p0", "deleted": True}),
])
def test_list_filters(ctx: RequestContext, params: dict[str, str],
                      expected: dict[str, Any]) -> None:
    assert list_filters(ctx, (2, 1), params) == expected


def test_unknown_status_before_and_after_2_38() -> None:
    assert list_filters(MEMBER, (2, 37), {"status": "nonsense"})["vm_state"] == ["__none__"]
    with pytest.raises(exception.Invalid, match="Invalid status value"):
        list_filters(MEMBER, (2, 38), {"status": "nonsense"})


@pytest.mark.parametrize("params,error", [
    ({"all_tenants": "1"}, exception.PolicyNotAuthorized),
    ({"changes-since": "yesterday"}, exception.Invalid),
])
def test_list_filters_refused(params: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        list_filters(MEMBER, (2, 1), params)


def test_owner_filter() -> None:
    assert service.owner_filter(MEMBER) == "p1"
    assert service.owner_filter(ADMIN) is None
