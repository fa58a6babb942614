"""Users, projects, roles, grants and assignments in the service layer, without a cloud."""
from __future__ import annotations

from typing import Any

import pytest

from identity_api import service
from stratus import exception
from stratus.context import RequestContext
from tests.unit.identity_service.fakes import FakeConductor, install

CTX = RequestContext(user_id="u1", project_id="p1", roles=["admin"])
ROLES = [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}]
PROJECTS = [{"id": "p1", "name": "one"}, {"id": "p2", "name": "two"},
            {"id": "p3", "name": "three"}]
USERS = [{"id": "u1", "name": "alice"}]


def by_kind(kind: str, filters: Any = None) -> list[dict[str, Any]]:
    return {"role": ROLES, "project": PROJECTS, "user": USERS}[kind]


def install_fake(monkeypatch: pytest.MonkeyPatch, **answers: Any) -> FakeConductor:
    fake = FakeConductor(**answers)
    install(monkeypatch, fake)
    return fake


@pytest.mark.parametrize("values,refused", [
    ({}, False),
    ({"domain_id": None}, False),
    ({"domain_id": "default"}, False),
    ({"domain_id": "other"}, True),
    ({"domain_id": "Default"}, True),
])
def test_check_domain(values: dict[str, Any], refused: bool) -> None:
    if refused:
        with pytest.raises(exception.ValidationError, match="Only the default domain"):
            service.check_domain(values)
    else:
        service.check_domain(values)


@pytest.mark.parametrize("values,stored", [
    ({"name": "n"}, {"name": "n"}),
    ({"name": "n", "description": None, "enabled": False},
     {"name": "n", "enabled": False}),
    ({"name": "n", "domain_id": "default", "tags": [], "options": {}, "is_domain": False},
     {"name": "n"}),
    ({"name": "u", "password": "pw", "email": "e@x", "default_project_id": "p1"},
     {"name": "u", "password": "pw", "email": "e@x", "default_project_id": "p1"}),
])
def test_create_stores_only_what_may_be_set(monkeypatch: pytest.MonkeyPatch,
                                            values: dict[str, Any],
                                            stored: dict[str, Any]) -> None:
    fake = FakeConductor(identity_create=lambda kind, values: {"id": "x", **values})
    install(monkeypatch, fake)
    assert service.create_entity(CTX, "project", values) == {"id": "x", **stored}
    assert fake.calls == [("identity_create", {"kind": "project", "values": stored})]


def test_create_in_another_domain_reaches_no_conductor(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = install_fake(monkeypatch)
    with pytest.raises(exception.ValidationError):
        service.create_entity(CTX, "user", {"name": "u", "domain_id": "d2"})
    assert fake.calls == []


@pytest.mark.parametrize("change,method", [
    (lambda: service.update_entity(CTX, "user", "u2", {"enabled": False}), "identity_update"),
    (lambda: service.delete_entity(CTX, "project", "p2"), "identity_delete"),
    (lambda: service.remove_grant(CTX, "p1", "u2", "r1"), "role_assignment_remove"),
])
def test_changes_that_revoke_tokens_expire_the_cache(monkeypatch: pytest.MonkeyPatch,
                                                     change: Any, method: str) -> None:
    fake = FakeConductor(identity_update={"id": "u2"})
    revocations = install(monkeypatch, fake)
    change()
    assert fake.names() == [method] and revocations.expired == 1


def test_an_update_in_another_domain_is_refused_first(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeConductor()
    revocations = install(monkeypatch, fake)
    with pytest.raises(exception.ValidationError):
        service.update_entity(CTX, "project", "p1", {"domain_id": "d2"})
    assert fake.calls == [] and revocations.expired == 0


def test_adding_a_grant_expires_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeConductor()
    revocations = install(monkeypatch, fake)
    service.add_grant(CTX, "p1", "u2", "r1")
    assert fake.calls == [("role_assignment_add",
                           {"user_id": "u2", "project_id": "p1", "role_id": "r1"})]
    assert revocations.expired == 0


def test_user_projects_are_those_with_a_role(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = install_fake(monkeypatch, identity_get=USERS[0], identity_list=by_kind,
                        role_assignment_list=[{"project_id": "p3", "role_id": "r1"},
                                              {"project_id": "p1", "role_id": "r2"},
                                              {"project_id": "p1", "role_id": "r1"}])
    assert [p["id"] for p in service.user_projects(CTX, "u1")] == ["p1", "p3"]
    assert fake.names() == ["identity_get", "role_assignment_list", "identity_list"]
    assert fake.calls[0][1] == {"kind": "user", "ident": "u1"}


def test_user_projects_of_an_unknown_user(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = install_fake(monkeypatch, identity_get=exception.UserNotFound(user_id="u9"))
    with pytest.raises(exception.UserNotFound):
        service.user_projects(CTX, "u9")
    assert fake.names() == ["identity_get"]


def test_caller_projects_need_no_user_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = install_fake(monkeypatch, identity_list=by_kind,
                        role_assignment_list=[{"project_id": "p2", "role_id": "r1"}])
    assert [p["id"] for p in service.caller_projects(CTX)] == ["p2"]
    assert fake.calls[0] == ("role_assignment_list", {"user_id": "u1"})


def test_grant_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = install_fake(monkeypatch, identity_list=by_kind,
                        role_assignment_list=[{"project_id": "p1", "role_id": "r2"}])
    assert service.grant_roles(CTX, "p1", "u2") == [ROLES[1]]
    assert fake.calls[0] == ("role_assignment_list", {"user_id": "u2", "project_id": "p1"})


@pytest.mark.parametrize("found,expected", [([], False), ([{"role_id": "r1"}], True)])
def test_has_grant(monkeypatch: pytest.MonkeyPatch, found: list[Any], expected: bool) -> None:
    install_fake(monkeypatch, role_assignment_list=found)
    assert service.has_grant(CTX, "p1", "u1", "r1") is expected


ASSIGNMENTS = [{"user_id": "u1", "project_id": "p1", "role_id": "r1"},
               {"user_id": "gone", "project_id": "p9", "role_id": "r2"}]


@pytest.mark.parametrize("include_names,expected", [
    (False, [{"user_id": "u1", "project_id": "p1", "role_id": "r1"},
             {"user_id": "gone", "project_id": "p9", "role_id": "r2"}]),
    (True, [{"user_id": "u1", "project_id": "p1", "role_id": "r1", "user_name": "alice",
             "project_name": "one", "role_name": "member"},
            {"user_id": "gone", "project_id": "p9", "role_id": "r2",
             "role_name": "reader"}]),
])
def test_role_assignments(monkeypatch: pytest.MonkeyPatch, include_names: bool,
                          expected: list[dict[str, Any]]) -> None:
    fake = install_fake(monkeypatch, role_assignment_list=ASSIGNMENTS, identity_list=by_kind)
    assert service.list_role_assignments(CTX, user_id="u1", effective=True,
                                         include_names=include_names) == expected
    assert fake.calls[0] == ("role_assignment_list", {"user_id": "u1", "project_id": None,
                                                      "role_id": None, "effective": True})
    assert fake.names()[1:] == (["identity_list"] * 3 if include_names else [])


@pytest.mark.parametrize("domain_id,found", [("default", True), ("Default", False),
                                             ("other", False)])
def test_get_domain(domain_id: str, found: bool) -> None:
    if found:
        assert service.get_domain(domain_id) == "default"
    else:
        with pytest.raises(exception.DomainNotFound, match=domain_id):
            service.get_domain(domain_id)
