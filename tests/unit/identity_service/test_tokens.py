"""Issuing, validating and revoking tokens in the service layer, without a cloud."""
from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from identity_api import service
from stratus import exception, tokens
from stratus.config import CONF
from stratus.context import RequestContext
from tests.unit.identity_service.fakes import FakeConductor, FakeRevocations, install

CTX = RequestContext(user_id="u1", project_id="p1", roles=["admin"])
USER = {"id": "u1", "name": "alice", "default_project_id": None}
CATALOG = [{"type": "identity", "endpoints": []}]
NOW = datetime.datetime(2030, 1, 2, 3, 4, 5)


def scope(project: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"user": {"id": "u1", "name": "alice"}, "project": project,
            "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}]
            if project else []}


@pytest.fixture(autouse=True)
def secret() -> Iterator[None]:
    CONF.set_override("token_secret", "unit-test-secret", group="identity")
    tokens.reset_secret()
    yield
    CONF.clear_override("token_secret", group="identity")
    tokens.reset_secret()


def token_for(**payload: Any) -> str:
    expires = tokens.utcnow() + datetime.timedelta(hours=1)
    return tokens.issue({"user_id": "u1", "audit_id": "a0", "issued_at": NOW.isoformat(),
                         "expires_at": expires.isoformat(), **payload})


@pytest.mark.parametrize("domain,expected", [
    (None, "default"), ({}, "default"), ({"id": "default"}, "default"),
    ({"name": "Default"}, "default"), ({"id": "other"}, None), ({"name": "default"}, None),
])
def test_domain_id(domain: dict[str, Any] | None, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(exception.NotAuthenticated):
            service.domain_id(domain)
    else:
        assert service.domain_id(domain) == expected


@pytest.mark.parametrize("asked,user,expected", [
    (None, USER, {}),
    (None, {**USER, "default_project_id": "p7"}, {"project_id": "p7"}),
    ({"project": {"id": "p2"}}, USER, {"project_id": "p2"}),
    ({"project": {"id": "p2", "name": "two"}}, USER, {"project_id": "p2"}),
    ({"project": {"name": "two"}}, USER,
     {"project_name": "two", "project_domain_id": "default"}),
    ({"project": {"name": "two", "domain": {"name": "Default"}}}, USER,
     {"project_name": "two", "project_domain_id": "default"}),
])
def test_scope_args(asked: Any, user: dict[str, Any], expected: dict[str, Any]) -> None:
    assert service.scope_args(asked, user) == expected


@pytest.mark.parametrize("asked,error,message", [
    ({"domain": {"id": "default"}}, exception.NotAuthenticated, "Only project scope"),
    ({"system": {}}, exception.NotAuthenticated, "Only project scope"),
    ("project", exception.NotAuthenticated, "Only project scope"),
    ({"project": {}}, exception.ValidationError, "needs an id or a name"),
    ({"project": None}, exception.ValidationError, "needs an id or a name"),
    ({"project": {"name": "two", "domain": {"id": "d2"}}}, exception.NotAuthenticated,
     "requires authentication"),
])
def test_scope_args_refused(asked: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        service.scope_args(asked, USER)


def test_token_payload_of_a_project_scope() -> None:
    payload = service.token_payload(scope({"id": "p1", "name": "one"}), ["password"], None,
                                    NOW)
    expires = NOW + datetime.timedelta(seconds=CONF.identity.token_expiration)
    assert payload == {
        "user_id": "u1", "user_name": "alice", "project_id": "p1", "project_name": "one",
        "roles": ["member", "reader"], "role_ids": ["r1", "r2"], "methods": ["password"],
        "audit_id": payload["audit_id"], "parent_audit_id": None,
        "issued_at": NOW.isoformat(), "expires_at": expires.isoformat()}


@pytest.mark.parametrize("original_expires_in,expected_in", [
    (60, 60),  # a re-scoped token never outlives the one it came from
    (10 ** 7, None),  # ... nor lives longer than a new one would
])
def test_token_payload_of_a_rescoped_token(original_expires_in: int,
                                           expected_in: int | None) -> None:
    original = {"audit_id": "a0",
                "expires_at": (NOW + datetime.timedelta(seconds=original_expires_in))
                .isoformat()}
    payload = service.token_payload(scope(), ["token"], original, NOW)
    lifetime = expected_in if expected_in is not None else CONF.identity.token_expiration
    assert payload["expires_at"] == (NOW + datetime.timedelta(seconds=lifetime)).isoformat()
    assert payload["parent_audit_id"] == "a0" and payload["project_id"] is None


def password(**user: Any) -> dict[str, Any]:
    return {"methods": ["password"], "password": {"user": {"password": "pw", **user}}}


@pytest.mark.parametrize("identity,message", [
    (password(), "needs a user id or name"),
    ({"methods": ["password"]}, "needs a user id or name"),
    ({"methods": ["token"]}, "needs a token id"),
    ({"methods": ["token"], "token": {"id": ""}}, "needs a token id"),
])
def test_authenticate_refused(monkeypatch: pytest.MonkeyPatch, identity: dict[str, Any],
                              message: str) -> None:
    fake = FakeConductor()
    install(monkeypatch, fake)
    with pytest.raises(exception.ValidationError, match=message):
        service.authenticate(identity)
    assert fake.calls == []


def test_authenticate_by_password(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeConductor(identity_authenticate={"id": "u1"})
    install(monkeypatch, fake)
    assert service.authenticate(password(name="alice", domain={"id": "default"})) == (
        "u1", None)
    assert fake.calls == [("identity_authenticate", {
        "password": "pw", "user_id": None, "user_name": "alice", "domain_id": "default"})]


@pytest.mark.parametrize("revoked", [False, True])
def test_authenticate_by_token(monkeypatch: pytest.MonkeyPatch, revoked: bool) -> None:
    install(monkeypatch, FakeConductor(), FakeRevocations(revoked=revoked))
    identity = {"methods": ["token"], "token": {"id": token_for(user_id="u5")}}
    if revoked:
        with pytest.raises(exception.NotAuthenticated, match="has been revoked"):
            service.authenticate(identity)
    else:
        user_id, original = service.authenticate(identity)
        assert user_id == "u5" and original is not None and original["audit_id"] == "a0"


def scopes(answers: dict[Any, Any]) -> Any:
    """identity_token_scope answering per asked project (None: no project asked)."""
    def answer(user_id: str, **asked: Any) -> Any:
        found = answers[asked.get("project_id") or asked.get("project_name")]
        if isinstance(found, BaseException):
            raise found
        return found
    return answer


ONE = scope({"id": "p1", "name": "one"})


@pytest.mark.parametrize("user,asked,answers,project,catalog", [
    # No scope asked: the default project, if the user has a role there...
    ({**USER, "default_project_id": "p1"}, None, {"p1": ONE}, "p1", CATALOG),
    # ... else an unscoped token, with no catalog.
    ({**USER, "default_project_id": "p1"}, None,
     {"p1": exception.NotAuthenticated(), None: scope()}, None, None),
    (USER, None, {None: scope()}, None, None),
    (USER, {"project": {"name": "one"}}, {"one": ONE}, "p1", CATALOG),
])
def test_issue_token(monkeypatch: pytest.MonkeyPatch, user: dict[str, Any], asked: Any,
                     answers: dict[Any, Any], project: str | None,
                     catalog: list[Any] | None) -> None:
    fake = FakeConductor(identity_authenticate={"id": "u1"}, identity_get=user,
                         identity_token_scope=scopes(answers), catalog_get=CATALOG)
    install(monkeypatch, fake)
    issued = service.issue_token(password(id="u1"), asked)
    assert issued["payload"]["project_id"] == project and issued["catalog"] == catalog
    assert tokens.verify(issued["id"]) == issued["payload"]
    assert fake.names()[-1] == ("catalog_get" if project else "identity_token_scope")


def test_an_asked_scope_that_fails_is_not_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeConductor(identity_authenticate={"id": "u1"}, identity_get=USER,
                         identity_token_scope=scopes({"p2": exception.NotAuthenticated()}))
    install(monkeypatch, fake)
    with pytest.raises(exception.NotAuthenticated):
        service.issue_token(password(id="u1"), {"project": {"id": "p2"}})
    assert fake.names().count("identity_token_scope") == 1


def test_a_token_of_a_deleted_user_is_not_rescoped(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, FakeConductor(identity_get=exception.UserNotFound(user_id="u5")))
    identity = {"methods": ["token"], "token": {"id": token_for(user_id="u5")}}
    with pytest.raises(exception.NotAuthenticated, match="requires authentication"):
        service.issue_token(identity)


@pytest.mark.parametrize("subject", ["garbage", "a.b", ""])
def test_subject_payload_of_a_bad_token(subject: str) -> None:
    with pytest.raises(exception.NotFound, match="invalid or expired"):
        service.subject_payload(subject)


def test_subject_payload_of_an_expired_token() -> None:
    expired = tokens.issue({"user_id": "u1", "expires_at": NOW.replace(year=2000).isoformat()})
    with pytest.raises(exception.NotFound, match="invalid or expired"):
        service.subject_payload(expired)


@pytest.mark.parametrize("project_id,catalog", [("p1", CATALOG), (None, None)])
def test_validate_token(monkeypatch: pytest.MonkeyPatch, project_id: str | None,
                        catalog: list[Any] | None) -> None:
    install(monkeypatch, FakeConductor(catalog_get=CATALOG))
    payload = service.subject_payload(token_for(project_id=project_id))
    assert service.validate_token(CTX, payload) == catalog


@pytest.mark.parametrize("action", [service.check_token, service.validate_token,
                                    service.revoke_token])
def test_a_revoked_subject_is_not_found(monkeypatch: pytest.MonkeyPatch, action: Any) -> None:
    fake = FakeConductor()
    revocations = install(monkeypatch, fake, FakeRevocations(revoked=True))
    with pytest.raises(exception.NotFound, match="has been revoked"):
        action(CTX, service.subject_payload(token_for()))
    assert fake.calls == [] and revocations.expired == 0


def test_revoke_token(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeConductor()
    revocations = install(monkeypatch, fake)
    payload = service.subject_payload(token_for())
    service.revoke_token(CTX, payload)
    assert fake.calls == [("token_revoke", {"audit_id": "a0",
                                            "expires_at": payload["expires_at"]})]
    assert revocations.expired == 1
