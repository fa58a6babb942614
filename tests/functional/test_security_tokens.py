"""A token stops working with its user, project or role: deleting, disabling or removing
any of them revokes it on every API (Keystone's revocation events)."""
from __future__ import annotations

import statistics
import time
from typing import Any

import pytest

from conductor import rpcapi as conductor_rpcapi
from stratus import tokens
from stratus.api.revocations import revocations
from stratus.context import get_admin_context
from tests.functional.conftest import Cloud

V = {"OpenStack-API-Version": "compute 2.64"}


def _admin(cloud: Cloud) -> dict[str, str]:
    return cloud.headers()


def _probe(cloud: Cloud, headers: dict[str, str]) -> dict[str, int]:
    """What each API answers the token: the status of a read on each."""
    return {
        "compute": cloud.compute.get("/v2.1/servers", headers={**headers, **V}).status_code,
        "image": cloud.image.get("/v2/images", headers=headers).status_code,
        "identity": cloud.identity.get("/v3/auth/projects", headers=headers).status_code,
    }


def _role_id(cloud: Cloud, name: str) -> str:
    roles = cloud.identity.get(f"/v3/roles?name={name}", headers=_admin(cloud)).json()
    return str(roles["roles"][0]["id"])


# How a token loses its ground: (method, path, body) of the identity API call.
REVOCATIONS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "delete user": ("DELETE", "/v3/users/{user_id}", None),
    "disable user": ("PATCH", "/v3/users/{user_id}", {"user": {"enabled": False}}),
    "delete project": ("DELETE", "/v3/projects/{project_id}", None),
    "disable project": ("PATCH", "/v3/projects/{project_id}",
                        {"project": {"enabled": False}}),
    "remove role": ("DELETE", "/v3/projects/{project_id}/users/{user_id}/roles/{member}",
                    None),
    "change password": ("PATCH", "/v3/users/{user_id}",
                        {"user": {"password": "a-new-password"}}),
}


def _revoke(cloud: Cloud, user: dict[str, Any], how: str) -> None:
    method, path, body = REVOCATIONS[how]
    resp = cloud.identity.request(method, path.format(**user, member=_role_id(cloud, "member")),
                                  json=body, headers=_admin(cloud))
    assert resp.status_code in (200, 204), resp.text


@pytest.mark.parametrize("how", sorted(REVOCATIONS))
def test_every_api_refuses_the_token_once_revoked(cloud: Cloud, how: str) -> None:
    user = cloud.make_user("member")
    image = cloud.create_image(_admin(cloud), visibility="public")
    assert _probe(cloud, user["headers"]) == {"compute": 200, "image": 200, "identity": 200}

    _revoke(cloud, user, how)

    assert _probe(cloud, user["headers"]) == {"compute": 401, "image": 401, "identity": 401}
    resp = cloud.compute.post("/v2.1/servers", headers={**user["headers"], **V}, json={
        "server": {"name": "orphan", "imageRef": image["id"], "flavorRef": "1",
                   "networks": "none"}})
    assert resp.status_code == 401
    assert resp.json() == {"unauthorized": {"code": 401,
                                            "message": "The token has been revoked."}}
    resp = cloud.compute.post("/v2.1/os-keypairs", headers={**user["headers"], **V},
                              json={"keypair": {"name": "k"}})
    assert resp.status_code == 401
    resp = cloud.image.post("/v2/images", headers=user["headers"],
                            json={"name": "x", "disk_format": "raw", "container_format": "bare"})
    assert resp.status_code == 401
    # Nothing was made with the dead token.
    everything = {**_admin(cloud), **V}
    servers = cloud.compute.get("/v2.1/servers?all_tenants=1", headers=everything).json()
    assert [s["name"] for s in servers["servers"]] == []
    images = cloud.image.get("/v2/images", headers=_admin(cloud)).json()["images"]
    assert [i["id"] for i in images] == [image["id"]]
    # Nor can it be traded for a new one.
    resp = cloud.identity.post("/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["token"], "token": {"id": user["headers"]["X-Auth-Token"]}}}})
    assert resp.status_code == 401, resp.text
    assert resp.json()["error"]["code"] == 401


def test_a_new_token_after_reenabling_works_and_the_old_stays_revoked(cloud: Cloud) -> None:
    user = cloud.make_user("member")
    _revoke(cloud, user, "disable user")
    resp = cloud.identity.patch(f"/v3/users/{user['user_id']}", headers=_admin(cloud),
                                json={"user": {"enabled": True}})
    assert resp.status_code == 200
    fresh = cloud.headers(user["user_name"], "pw-" + user["user_name"], user["project_name"])
    assert _probe(cloud, fresh) == {"compute": 200, "image": 200, "identity": 200}
    assert _probe(cloud, user["headers"])["compute"] == 401


def test_deleting_a_role_revokes_the_tokens_that_carry_it(cloud: Cloud) -> None:
    admin = _admin(cloud)
    role = cloud.identity.post("/v3/roles", headers=admin,
                               json={"role": {"name": "auditor"}}).json()["role"]
    holder = cloud.make_user("member")
    bystander = cloud.make_user("member")
    resp = cloud.identity.put(f"/v3/projects/{holder['project_id']}/users/"
                              f"{holder['user_id']}/roles/{role['id']}", headers=admin)
    assert resp.status_code == 204
    token = cloud.headers(holder["user_name"], "pw-" + holder["user_name"],
                          holder["project_name"])
    assert cloud.identity.delete(f"/v3/roles/{role['id']}", headers=admin).status_code == 204
    assert _probe(cloud, token)["compute"] == 401
    assert _probe(cloud, bystander["headers"])["compute"] == 200


def test_revoking_a_token_revokes_those_rescoped_from_it(cloud: Cloud) -> None:
    user = cloud.make_user("member")
    resp = cloud.identity.post("/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["token"], "token": {"id": user["headers"]["X-Auth-Token"]}},
        "scope": {"project": {"id": user["project_id"]}}}})
    assert resp.status_code == 201
    rescoped = {"X-Auth-Token": resp.headers["X-Subject-Token"]}
    resp = cloud.identity.delete("/v3/auth/tokens", headers={
        **_admin(cloud), "X-Subject-Token": user["headers"]["X-Auth-Token"]})
    assert resp.status_code == 204
    assert _probe(cloud, rescoped)["compute"] == 401


def test_another_process_sees_a_revocation_within_the_cache_time(cloud: Cloud) -> None:
    """An API process that did not make the change (a replica) learns of it from the
    conductor within [identity] revocation_cache_time (0.5 s)."""
    user = cloud.make_user("member")
    assert _probe(cloud, user["headers"])["compute"] == 200
    # Straight to the conductor, as another process's identity API would.
    conductor_rpcapi.client().identity_delete(get_admin_context(), kind="user",
                                              ident=user["user_id"])
    started = time.monotonic()
    while _probe(cloud, user["headers"])["compute"] == 200:
        assert time.monotonic() - started < 1.0, "still accepted after 1 s"
        time.sleep(0.02)
    assert revocations.is_revoked(tokens.verify(user["headers"]["X-Auth-Token"]))


def test_an_unscoped_token_cannot_create_project_resources(cloud: Cloud) -> None:
    user = cloud.make_user("member")
    unscoped = {"X-Auth-Token": cloud.token(user["user_name"], "pw-" + user["user_name"],
                                            project=None)["token"]}
    resp = cloud.compute.post("/v2.1/os-keypairs", headers={**unscoped, **V},
                              json={"keypair": {"name": "k"}})
    assert resp.status_code == 403
    assert "project-scoped" in resp.json()["forbidden"]["message"]
    resp = cloud.image.post("/v2/images", headers=unscoped,
                            json={"name": "x", "disk_format": "raw", "container_format": "bare"})
    assert resp.status_code == 403
    keypairs = cloud.compute.get("/v2.1/os-keypairs", headers={**user["headers"], **V})
    assert keypairs.json()["keypairs"] == []


def test_scoping_to_a_foreign_project_names_no_project(cloud: Cloud) -> None:
    user = cloud.make_user("member")
    other = cloud.make_user("member")
    for scope in ({"id": other["project_id"]}, {"id": "no-such-project"}):
        resp = cloud.identity.post("/v3/auth/tokens", json={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "id": user["user_id"], "password": "pw-" + user["user_name"]}}},
            "scope": {"project": scope}}})
        assert resp.status_code == 401
        assert other["project_id"] not in resp.text
        assert resp.json()["error"]["message"] == (
            "The user has no role on the requested project, or it does not exist.")


def _login_seconds(cloud: Cloud, name: str) -> float:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": name, "domain": {"id": "default"}, "password": "wrong"}}}}}
    started = time.perf_counter()
    resp = cloud.identity.post("/v3/auth/tokens", json=body)
    assert resp.status_code == 401
    return time.perf_counter() - started


def test_a_failed_login_takes_as_long_for_an_unknown_user(cloud: Cloud) -> None:
    user = cloud.make_user("member")
    # Taken in turns, so that a busy machine slows both kinds alike.
    pairs = [(_login_seconds(cloud, user["user_name"]), _login_seconds(cloud, f"nobody-{i}"))
             for i in range(11)]
    known = statistics.median(k for k, _ in pairs)
    unknown = statistics.median(u for _, u in pairs)
    # Both pay for one password hash; before, the unknown name answered ~5x sooner.
    assert unknown > 0.6 * known, (known, unknown)
