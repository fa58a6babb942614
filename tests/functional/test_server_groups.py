"""/os-server-groups and the `group` scheduler hint: members placed together or apart."""
from __future__ import annotations

import concurrent.futures
from collections import Counter
from typing import Any

import pytest
from typer.testing import CliRunner

from stratus.cli import app
from tests.functional.conftest import Cloud


def _v(version: str) -> dict[str, str]:
    return {"OpenStack-API-Version": f"compute {version}"}


def _group(cloud: Cloud, headers: dict[str, str], policy: str,
           rules: dict[str, Any] | None = None, version: str = "2.64") -> dict[str, Any]:
    if version >= "2.64":
        body: dict[str, Any] = {"name": f"g-{policy}", "policy": policy}
        if rules:
            body["rules"] = rules
    else:
        body = {"name": f"g-{policy}", "policies": [policy]}
    resp = cloud.compute.post("/v2.1/os-server-groups", json={"server_group": body},
                              headers={**headers, **_v(version)})
    assert resp.status_code == 200, resp.text
    return resp.json()["server_group"]


def _request_id(cloud: Cloud, headers: dict[str, str], server_id: str) -> str:
    actions = cloud.compute.get(f"/v2.1/servers/{server_id}/os-instance-actions",
                                headers=headers).json()["instanceActions"]
    return actions[0]["request_id"]


def _boot_into(cloud: Cloud, headers: dict[str, str], image: str, group: str,
               **server: Any) -> str:
    body = {"server": {"name": "m", "imageRef": image, "flavorRef": "1", "networks": "none",
                       **server}, "os:scheduler_hints": {"group": group}}
    resp = cloud.compute.post("/v2.1/servers", json=body, headers={**headers, **_v("2.64")})
    assert resp.status_code == 202, resp.text
    return resp.json()["server"]["id"]


@pytest.mark.parametrize("version,keys", [
    ("2.1", {"id", "name", "policies", "members", "metadata"}),
    ("2.13", {"id", "name", "policies", "members", "metadata", "project_id", "user_id"}),
    ("2.64", {"id", "name", "policy", "rules", "members", "project_id", "user_id"}),
])
def test_server_group_shapes(cloud: Cloud, version: str, keys: set[str]) -> None:
    user = cloud.make_user("member")
    created = _group(cloud, user["headers"], "anti-affinity", version=version)
    assert set(created) == keys and created["members"] == []
    if version == "2.64":
        assert (created["policy"], created["rules"]) == ("anti-affinity", {})
    else:
        assert created["policies"] == ["anti-affinity"] and created["metadata"] == {}
    shown = cloud.compute.get(f"/v2.1/os-server-groups/{created['id']}",
                              headers={**user["headers"], **_v(version)}).json()
    assert shown["server_group"] == created
    listed = cloud.compute.get("/v2.1/os-server-groups",
                               headers={**user["headers"], **_v(version)}).json()
    assert listed["server_groups"] == [created]
    resp = cloud.compute.delete(f"/v2.1/os-server-groups/{created['id']}",
                                headers=user["headers"])
    assert resp.status_code == 204
    assert cloud.compute.get(f"/v2.1/os-server-groups/{created['id']}",
                             headers=user["headers"]).status_code == 404


@pytest.mark.parametrize("version,body,fragment", [
    ("2.14", {"name": "g", "policies": ["soft-affinity"]}, "soft-affinity"),
    ("2.15", {"name": "g", "policies": ["affinity", "anti-affinity"]}, "policies"),
    ("2.15", {"name": "g", "policies": []}, "policies"),
    ("2.64", {"name": "g", "policies": ["affinity"]}, "policies"),
    ("2.64", {"name": "g", "policy": "affinity", "rules": {"max_server_per_host": 2}},
     "Only the anti-affinity policy takes rules"),
    ("2.64", {"name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": 0}},
     "max_server_per_host"),
    ("2.64", {"name": "g", "policy": "anti-affinity", "rules": {"other": 1}}, "other"),
    ("2.64", {"name": "", "policy": "affinity"}, "name"),
])
def test_server_group_bad_input(cloud: Cloud, version: str, body: dict[str, Any],
                                fragment: str) -> None:
    resp = cloud.compute.post("/v2.1/os-server-groups", json={"server_group": body},
                              headers={**cloud.headers(), **_v(version)})
    assert resp.status_code == 400, resp.text
    assert fragment in resp.json()["badRequest"]["message"]


def test_server_groups_are_per_project(cloud: Cloud) -> None:
    owner, stranger = cloud.make_user("member"), cloud.make_user("member")
    group = _group(cloud, owner["headers"], "affinity")
    for call in (cloud.compute.get, cloud.compute.delete):
        resp = call(f"/v2.1/os-server-groups/{group['id']}", headers=stranger["headers"])
        assert resp.status_code == 404
        assert f"Instance group {group['id']} could not be found" in resp.text
    assert cloud.compute.get("/v2.1/os-server-groups?all_projects=True",
                             headers=stranger["headers"]).json()["server_groups"] == []
    admin_view = cloud.compute.get("/v2.1/os-server-groups?all_projects=True",
                                   headers=cloud.headers()).json()["server_groups"]
    assert [g["id"] for g in admin_view] == [group["id"]]
    image = cloud.create_image(cloud.headers(), visibility="public")["id"]
    resp = cloud.compute.post("/v2.1/servers", headers={**stranger["headers"], **_v("2.64")},
                              json={
        "server": {"name": "x", "imageRef": image, "flavorRef": "1", "networks": "none"},
        "os:scheduler_hints": {"group": group["id"]}})
    assert resp.status_code == 400
    assert f"Server group {group['id']} could not be found" in resp.text


def test_server_group_quotas(cloud: Cloud) -> None:
    admin = cloud.headers()
    user = cloud.make_user("member")
    resp = cloud.compute.put(f"/v2.1/os-quota-sets/{user['project_id']}", headers=admin,
                             json={"quota_set": {"server_groups": 1,
                                                 "server_group_members": 2}})
    assert resp.status_code == 200, resp.text
    group = _group(cloud, user["headers"], "soft-affinity")
    resp = cloud.compute.post("/v2.1/os-server-groups", headers={**user["headers"],
                              **_v("2.64")}, json={"server_group": {"name": "two",
                                                                    "policy": "affinity"}})
    assert resp.status_code == 403
    assert "Quota exceeded for server_groups" in resp.json()["forbidden"]["message"]
    image = cloud.create_image(admin, visibility="public")["id"]
    resp = cloud.compute.post("/v2.1/servers", headers={**user["headers"], **_v("2.64")},
                              json={"server": {"name": "x", "imageRef": image,
                                               "flavorRef": "1", "networks": "none",
                                               "min_count": 3},
                                    "os:scheduler_hints": {"group": group["id"]}})
    assert resp.status_code == 403
    assert "too many servers in group" in resp.json()["forbidden"]["message"]
    first = _boot_into(cloud, user["headers"], image, group["id"])
    _boot_into(cloud, user["headers"], image, group["id"])
    members = cloud.compute.get(f"/v2.1/os-server-groups/{group['id']}",
                                headers=user["headers"]).json()["server_group"]["members"]
    assert len(members) == 2 and first in members
    cloud.compute.delete(f"/v2.1/servers/{first}", headers=user["headers"])
    cloud.wait_until_gone(user["headers"], first)
    members = cloud.compute.get(f"/v2.1/os-server-groups/{group['id']}",
                                headers=user["headers"]).json()["server_group"]["members"]
    assert len(members) == 1 and first not in members
    _boot_into(cloud, user["headers"], image, group["id"])  # room again


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_anti_affinity_group_of_three_on_two_hosts(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)["id"]
    group = _group(cloud, admin, "anti-affinity")
    servers = []
    for _ in range(3):
        sid = _boot_into(cloud, admin, image, group["id"])
        servers.append(cloud.wait_for_server(admin, sid))
    assert [s["status"] for s in servers] == ["ACTIVE", "ACTIVE", "ERROR"]
    assert {s["OS-EXT-SRV-ATTR:host"] for s in servers[:2]} == {"testhost", "testhost-2"}
    fault = servers[2]["fault"]["message"]
    assert fault == (
        "No valid host was found. ServerGroupAntiAffinityFilter removed 2 of 2 hosts: "
        f"already runs 1 member of server group {group['id']} (anti-affinity, at most 1 "
        "per host).")
    events = cloud.compute.get(
        f"/v2.1/servers/{servers[2]['id']}/os-instance-actions/"
        f"{_request_id(cloud, admin, servers[2]['id'])}",
        headers={**admin, **_v("2.51")}).json()["instanceAction"]["events"]
    assert any("(testhost, testhost-2)" in (e.get("traceback") or "") for e in events)
    explained = CliRunner().invoke(app, ["scheduler", "explain", "--flavor", "1",
                                         "--hint", f"group={group['id']}"])
    line = [x for x in explained.output.splitlines()
            if x.startswith("ServerGroupAntiAffinityFilter")][0]
    assert line.split()[1:3] == ["2", "2"] and "testhost, testhost-2" in line
    member = cloud.make_user("member")
    sid = _boot_into(cloud, member["headers"], cloud.create_image(member["headers"])["id"],
                     _group(cloud, member["headers"], "anti-affinity")["id"])
    assert cloud.wait_for_server(member["headers"], sid)["status"] == "ACTIVE"


@pytest.mark.parametrize("cloud", [{"fake_hosts": 2}], indirect=True)
def test_max_server_per_host_and_affinity(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)["id"]
    spread = _group(cloud, admin, "anti-affinity", rules={"max_server_per_host": 2})
    assert spread["rules"] == {"max_server_per_host": 2}
    hosts = Counter()
    for _ in range(5):
        server = cloud.wait_for_server(admin, _boot_into(cloud, admin, image, spread["id"]))
        hosts[server["OS-EXT-SRV-ATTR:host"]] += 1
    assert hosts == {"testhost": 2, "testhost-2": 2, None: 1}

    together = _group(cloud, admin, "affinity")
    placed = {cloud.wait_for_server(admin, _boot_into(cloud, admin, image, together["id"]))
              ["OS-EXT-SRV-ATTR:host"] for _ in range(3)}
    assert len(placed) == 1 and None not in placed


@pytest.mark.parametrize("cloud", [{"fake_hosts": 3}], indirect=True)
def test_soft_policies_prefer_but_do_not_fail(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin)["id"]
    soft_anti = _group(cloud, admin, "soft-anti-affinity")
    hosts = [cloud.wait_for_server(admin, _boot_into(cloud, admin, image, soft_anti["id"]))
             ["OS-EXT-SRV-ATTR:host"] for _ in range(4)]
    assert len(set(hosts[:3])) == 3 and hosts[3] is not None  # the 4th still lands
    soft = _group(cloud, admin, "soft-affinity")
    hosts = [cloud.wait_for_server(admin, _boot_into(cloud, admin, image, soft["id"]))
             ["OS-EXT-SRV-ATTR:host"] for _ in range(3)]
    assert len(set(hosts)) == 1


@pytest.mark.parametrize("cloud", [{"fake_hosts": 4, "config": {
    "scheduler": {"host_state_ttl": 60.0}}}], indirect=True)
def test_parallel_anti_affinity_boots_never_share_a_host(cloud: Cloud) -> None:
    """Eight boots at once into an anti-affinity group on four hosts: the claim checks
    the group under a lock, so exactly four land, each on its own host."""
    admin = cloud.headers()
    image = cloud.create_image(admin)["id"]
    group = _group(cloud, admin, "anti-affinity")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: _boot_into(cloud, admin, image, group["id"]), range(8)))
    servers = [cloud.wait_for_server(admin, sid) for sid in ids]
    active = [s for s in servers if s["status"] == "ACTIVE"]
    assert len(active) == 4
    assert len({s["OS-EXT-SRV-ATTR:host"] for s in active}) == 4
    for server in servers:
        if server["status"] == "ERROR":
            assert "anti-affinity" in server["fault"]["message"]
