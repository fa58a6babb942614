"""Identity API (Keystone v3 subset): tokens, catalog, projects, users, roles, grants."""
from __future__ import annotations

import datetime
from typing import Any

from stratus import tokens
from tests.functional.conftest import ADMIN_PASSWORD, Cloud


def _password_auth(user: dict[str, Any], password: str,
                   scope: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {**user, "password": password}}}}}
    if scope is not None:
        body["auth"]["scope"] = scope
    return body


def test_version_discovery(cloud: Cloud) -> None:
    root = cloud.identity.get("/")
    assert root.status_code == 300
    assert root.json()["versions"]["values"][0]["id"] == "v3.14"
    v3 = cloud.identity.get("/v3").json()["version"]
    assert v3["status"] == "stable" and v3["links"][0]["href"].endswith("/v3/")


def test_password_auth_scoped_by_name_and_id(cloud: Cloud) -> None:
    issued = cloud.token()
    body = issued["body"]
    assert body["methods"] == ["password"] and body["user"]["name"] == "admin"
    assert body["project"]["name"] == "admin" and body["project"]["domain"]["id"] == "default"
    assert sorted(r["name"] for r in body["roles"]) == ["admin", "manager", "member", "reader"]
    assert body["expires_at"].endswith("Z") and len(body["audit_ids"]) == 1
    catalog = {s["type"]: s for s in body["catalog"]}
    assert set(catalog) == {"identity", "compute", "image"}
    public = [e for e in catalog["compute"]["endpoints"] if e["interface"] == "public"][0]
    assert public["url"].endswith("/v2.1") and public["region"] == "RegionOne"

    by_id = cloud.identity.post("/v3/auth/tokens", json=_password_auth(
        {"id": body["user"]["id"]}, ADMIN_PASSWORD,
        {"project": {"id": body["project"]["id"]}}))
    assert by_id.status_code == 201
    assert by_id.json()["token"]["project"]["id"] == body["project"]["id"]


def test_unscoped_and_default_project(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    resp = cloud.identity.post("/v3/auth/tokens", json=_password_auth(
        {"name": member["user_name"], "domain": {"name": "Default"}},
        "pw-" + member["user_name"]))
    assert resp.status_code == 201
    token = resp.json()["token"]
    assert "project" not in token and "catalog" not in token


def test_rescope_with_token_method(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    unscoped = cloud.token(member["user_name"], "pw-" + member["user_name"], project=None)
    assert "project" not in unscoped["body"]
    resp = cloud.identity.post("/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["token"], "token": {"id": unscoped["token"]}},
        "scope": {"project": {"name": member["project_name"], "domain": {"id": "default"}}}}})
    assert resp.status_code == 201
    token = resp.json()["token"]
    assert token["methods"] == ["token"] and token["project"]["id"] == member["project_id"]
    assert unscoped["body"]["audit_ids"][0] in token["audit_ids"]
    assert token["expires_at"] <= unscoped["body"]["expires_at"]


def test_bad_credentials_are_401(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    cases = [
        _password_auth({"name": "admin", "domain": {"id": "default"}}, "wrong"),
        _password_auth({"name": "nobody", "domain": {"id": "default"}}, "x"),
        _password_auth({"name": "admin", "domain": {"id": "other"}}, ADMIN_PASSWORD),
        _password_auth({"name": "admin", "domain": {"id": "default"}}, ADMIN_PASSWORD,
                       {"project": {"name": "nope", "domain": {"id": "default"}}}),
        _password_auth({"name": "admin", "domain": {"id": "default"}}, ADMIN_PASSWORD,
                       {"project": {"id": member["project_id"]}}),
    ]
    for body in cases:
        resp = cloud.identity.post("/v3/auth/tokens", json=body)
        assert resp.status_code == 401, (body, resp.text)
        assert resp.json()["error"]["code"] == 401
        assert "X-Subject-Token" not in resp.headers


def test_malformed_auth_is_400(cloud: Cloud) -> None:
    for body in ({}, {"auth": {}}, {"auth": {"identity": {"methods": ["kerberos"]}}},
                 {"auth": {"identity": {"methods": ["password"], "password": {"user": {
                     "name": "admin"}}}}}, []):
        resp = cloud.identity.post("/v3/auth/tokens", json=body)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["error"]["title"] == "Bad Request"


def test_validate_and_revoke(cloud: Cloud) -> None:
    admin = cloud.headers()
    member = cloud.make_user("member")
    subject = member["headers"]["X-Auth-Token"]
    shown = cloud.identity.get("/v3/auth/tokens",
                               headers={**admin, "X-Subject-Token": subject})
    assert shown.status_code == 200 and shown.headers["X-Subject-Token"] == subject
    assert shown.json()["token"]["user"]["id"] == member["user_id"]
    assert cloud.identity.head("/v3/auth/tokens", headers={
        **admin, "X-Subject-Token": subject}).status_code == 200
    other = cloud.make_user("member")
    assert cloud.identity.get("/v3/auth/tokens", headers={
        **other["headers"], "X-Subject-Token": subject}).status_code == 403
    assert cloud.compute.get("/v2.1/servers", headers=member["headers"]).status_code == 200
    revoked = cloud.identity.delete("/v3/auth/tokens", headers={
        **member["headers"], "X-Subject-Token": subject})
    assert revoked.status_code == 204
    assert cloud.compute.get("/v2.1/servers", headers=member["headers"]).status_code == 401
    assert cloud.identity.get("/v3/auth/tokens", headers={
        **admin, "X-Subject-Token": subject}).status_code == 404


def test_expired_and_forged_tokens_are_401(cloud: Cloud) -> None:
    issued = cloud.token()
    payload = tokens.verify(issued["token"])
    past = (datetime.datetime.utcnow() - datetime.timedelta(minutes=1)).isoformat()
    expired = tokens.issue({**payload, "expires_at": past})
    resp = cloud.identity.get("/v3/projects", headers={"X-Auth-Token": expired})
    assert resp.status_code == 401 and resp.json()["error"]["message"] == "The token has expired."
    forged = issued["token"][:-2] + ("AA" if not issued["token"].endswith("AA") else "BB")
    assert cloud.identity.get("/v3/projects",
                              headers={"X-Auth-Token": forged}).status_code == 401


def test_project_user_role_and_grant_lifecycle(cloud: Cloud) -> None:
    admin = cloud.headers()
    project = cloud.identity.post("/v3/projects", headers=admin, json={
        "project": {"name": "demo", "description": "Demo"}})
    assert project.status_code == 201
    pid = project.json()["project"]["id"]
    assert cloud.identity.post("/v3/projects", headers=admin, json={
        "project": {"name": "demo"}}).status_code == 409
    user = cloud.identity.post("/v3/users", headers=admin, json={
        "user": {"name": "demo-user", "password": "s3cret", "default_project_id": pid}})
    assert user.status_code == 201
    uid = user.json()["user"]["id"]
    assert "password" not in user.json()["user"]
    role = cloud.identity.post("/v3/roles", headers=admin, json={"role": {"name": "observer"}})
    assert role.status_code == 201
    member_role = [r for r in cloud.identity.get("/v3/roles", headers=admin).json()["roles"]
                   if r["name"] == "member"][0]
    grant = f"/v3/projects/{pid}/users/{uid}/roles/{member_role['id']}"
    assert cloud.identity.head(grant, headers=admin).status_code == 404
    assert cloud.identity.put(grant, headers=admin).status_code == 204
    assert cloud.identity.head(grant, headers=admin).status_code == 204

    token = cloud.token("demo-user", "s3cret", "demo")["body"]
    assert sorted(r["name"] for r in token["roles"]) == ["member", "reader"]
    default = cloud.identity.post("/v3/auth/tokens", json=_password_auth(
        {"name": "demo-user", "domain": {"id": "default"}}, "s3cret")).json()["token"]
    assert default["project"]["id"] == pid

    assignments = cloud.identity.get(
        f"/v3/role_assignments?user.id={uid}&effective&include_names", headers=admin).json()
    names = sorted(a["role"]["name"] for a in assignments["role_assignments"])
    assert names == ["member", "reader"]
    projects = cloud.identity.get(f"/v3/users/{uid}/projects", headers=admin).json()
    assert [p["name"] for p in projects["projects"]] == ["demo"]

    patched = cloud.identity.patch(f"/v3/users/{uid}", headers=admin,
                                   json={"user": {"enabled": False}})
    assert patched.json()["user"]["enabled"] is False
    disabled = cloud.identity.post("/v3/auth/tokens", json=_password_auth(
        {"id": uid}, "s3cret"))
    assert disabled.status_code == 401
    assert cloud.identity.delete(grant, headers=admin).status_code == 204
    assert cloud.identity.delete(grant, headers=admin).status_code == 404
    assert cloud.identity.delete(f"/v3/users/{uid}", headers=admin).status_code == 204
    assert cloud.identity.get(f"/v3/users/{uid}", headers=admin).status_code == 404
    assert cloud.identity.delete(f"/v3/projects/{pid}", headers=admin).status_code == 204
    assert cloud.identity.get(f"/v3/projects/{pid}", headers=admin).status_code == 404


def test_members_cannot_administer_identity(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    assert cloud.identity.get("/v3/users", headers=h).status_code == 403
    assert cloud.identity.post("/v3/projects", headers=h,
                               json={"project": {"name": "x"}}).status_code == 403
    assert cloud.identity.post("/v3/users", headers=h,
                               json={"user": {"name": "x"}}).status_code == 403
    assert cloud.identity.get(f"/v3/users/{member['user_id']}", headers=h).status_code == 200
    assert cloud.identity.get(f"/v3/projects/{member['project_id']}",
                              headers=h).status_code == 200
    mine = cloud.identity.get("/v3/auth/projects", headers=h).json()["projects"]
    assert [p["id"] for p in mine] == [member["project_id"]]
    bad = cloud.identity.post("/v3/projects", headers=cloud.headers(),
                              json={"project": {"name": 5}})
    assert bad.status_code == 400


def test_a_role_keeps_its_description(cloud: Cloud) -> None:
    admin = cloud.headers()
    resp = cloud.identity.post("/v3/roles", headers=admin, json={
        "role": {"name": "auditor", "description": "reads the books"}})
    assert resp.status_code == 201, resp.text
    role = resp.json()["role"]
    assert role["description"] == "reads the books"
    shown = cloud.identity.get(f"/v3/roles/{role['id']}", headers=admin).json()["role"]
    assert shown["description"] == "reads the books"
