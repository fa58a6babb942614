"""nova-network's security groups as a client sees them: /os-security-groups,
/os-security-group-rules, /os-security-group-default-rules (2.1-2.35), a server's groups
and its addSecurityGroup / removeSecurityGroup actions, security groups at server create
and in server views, their quotas, and what the network agents read and hear."""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa

from conductor.db import api as db
from conductor.network.queries import security_groups
from network_agent.manager import NetworkManager
from tests.functional.conftest import Cloud
from tests.functional.microversions import at

GROUP_KEYS = {"id", "name", "description", "tenant_id", "rules"}
RULE_KEYS = {"id", "parent_group_id", "ip_protocol", "from_port", "to_port", "group",
             "ip_range"}


def _message(resp: Any) -> str:
    return str(next(iter(resp.json().values()))["message"])


def _groups(cloud: Cloud, headers: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    resp = cloud.compute.get(f"/v2.1/os-security-groups{query}", headers=headers)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["security_groups"])


def _create(cloud: Cloud, headers: dict[str, str], name: Any = "web",
            description: Any = "web servers") -> Any:
    return cloud.compute.post("/v2.1/os-security-groups", headers=headers,
                              json={"security_group": {"name": name,
                                                       "description": description}})


def _rule(cloud: Cloud, headers: dict[str, str], parent: Any, **rule: Any) -> Any:
    return cloud.compute.post("/v2.1/os-security-group-rules", headers=headers,
                              json={"security_group_rule": {"parent_group_id": parent,
                                                            **rule}})


def _bad(resp: Any, text: str, code: int = 400) -> None:
    assert resp.status_code == code, resp.text
    assert text in _message(resp), resp.text


def test_a_project_has_a_default_group_and_creates_lists_updates_deletes_its_own(
        cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    listed = _groups(cloud, h)
    assert len(listed) == 1
    default = listed[0]
    # nova-network's default group lets nothing in until a rule opens it.
    assert default == {"id": default["id"], "name": "default", "description": "default",
                       "tenant_id": member["project_id"], "rules": []}
    assert isinstance(default["id"], int)
    assert _groups(cloud, h) == listed  # made once

    created = _create(cloud, h, name=" web ", description="web servers")
    assert created.status_code == 200, created.text
    web = created.json()["security_group"]
    assert set(web) == GROUP_KEYS and web["name"] == " web " and web["rules"] == []
    assert [g["name"] for g in _groups(cloud, h)] == [" web ", "default"]
    shown = cloud.compute.get(f"/v2.1/os-security-groups/{web['id']}", headers=h)
    assert shown.status_code == 200 and shown.json() == {"security_group": web}

    _bad(_create(cloud, h, name=" web "), "Security group  web  already exists")
    _bad(_create(cloud, h, name=""), "name has a minimum character requirement of 1.")
    _bad(_create(cloud, h, name="  "), "name has a minimum character requirement of 1.")
    _bad(_create(cloud, h, name="x" * 256), "name has more than 255 characters.")
    _bad(_create(cloud, h, description="d" * 260),
         "description has more than 255 characters.")
    _bad(_create(cloud, h, description=None), "description is not a string or unicode")
    _bad(cloud.compute.post("/v2.1/os-security-groups", headers=h, json={}),
         "The request body can't be empty")
    _bad(cloud.compute.post("/v2.1/os-security-groups", headers=h, json={"x": 1}),
         "Missing parameter security_group")

    updated = cloud.compute.put(f"/v2.1/os-security-groups/{web['id']}", headers=h,
                                json={"security_group": {"name": "www",
                                                         "description": "new"}})
    assert updated.status_code == 200, updated.text
    assert updated.json()["security_group"] == {**web, "name": "www", "description": "new"}
    _bad(cloud.compute.put(f"/v2.1/os-security-groups/{default['id']}", headers=h,
                           json={"security_group": {"name": "x", "description": "y"}}),
         "Unable to update system group 'default'")
    _bad(cloud.compute.put(f"/v2.1/os-security-groups/{web['id']}", headers=h,
                           json={"security_group": {"name": "w" * 260}}),
         "name has more than 255 characters.")
    missing = cloud.compute.put("/v2.1/os-security-groups/999999", headers=h,
                                json={"security_group": {"name": "a", "description": "b"}})
    _bad(missing, "Security group 999999 not found.", 404)
    _bad(cloud.compute.get("/v2.1/os-security-groups/abc", headers=h),
         "Security group id should be integer")
    _bad(cloud.compute.get("/v2.1/os-security-groups/999999", headers=h),
         "Security group 999999 not found.", 404)

    # Another project neither sees nor reaches them; an admin sees all with all_tenants.
    other = cloud.make_user("member")["headers"]
    assert [g["name"] for g in _groups(cloud, other)] == ["default"]
    assert cloud.compute.get(f"/v2.1/os-security-groups/{web['id']}",
                             headers=other).status_code == 404
    assert cloud.compute.delete(f"/v2.1/os-security-groups/{web['id']}",
                                headers=other).status_code == 404
    admin = cloud.headers()
    everyone = _groups(cloud, admin, "?all_tenants=1")
    assert {(g["tenant_id"], g["name"]) for g in everyone} >= {
        (member["project_id"], "www"), (member["project_id"], "default"),
        (cloud.admin_project_id, "default")}
    assert everyone == sorted(everyone, key=lambda g: (g["tenant_id"], g["name"]))
    assert {g["tenant_id"] for g in _groups(cloud, admin)} == {cloud.admin_project_id}
    assert [g["name"] for g in _groups(cloud, h, "?limit=1&offset=1")] == ["www"]
    _bad(cloud.compute.get("/v2.1/os-security-groups?limit=x", headers=h),
         "limit param must be an integer")

    reader = cloud.make_user("reader", project=member["project_name"])["headers"]
    assert len(_groups(cloud, reader)) == 2
    assert _create(cloud, reader, name="nope").status_code == 403

    _bad(cloud.compute.delete(f"/v2.1/os-security-groups/{default['id']}", headers=h),
         "Unable to delete system group 'default'")
    deleted = cloud.compute.delete(f"/v2.1/os-security-groups/{web['id']}", headers=h)
    assert deleted.status_code == 202
    assert cloud.compute.get(f"/v2.1/os-security-groups/{web['id']}",
                             headers=h).status_code == 404
    assert [g["name"] for g in _groups(cloud, h)] == ["default"]
    # The name is free again.
    assert _create(cloud, h, name="www").status_code == 200


def test_rules_of_each_protocol_and_the_invalid_ones(cloud: Cloud) -> None:
    h = cloud.make_user("member")["headers"]
    web = _create(cloud, h).json()["security_group"]
    gid = web["id"]

    ssh = _rule(cloud, h, gid, ip_protocol="tcp", from_port=22, to_port=22,
                cidr="10.0.0.0/24")
    assert ssh.status_code == 200, ssh.text
    rule = ssh.json()["security_group_rule"]
    assert set(rule) == RULE_KEYS
    assert (rule["parent_group_id"], rule["ip_protocol"], rule["from_port"],
            rule["to_port"], rule["group"], rule["ip_range"]) == (
        gid, "tcp", 22, 22, {}, {"cidr": "10.0.0.0/24"})
    dns = _rule(cloud, h, str(gid), ip_protocol="UDP", from_port="53", to_port="53")
    assert dns.status_code == 200, dns.text
    assert (dns.json()["security_group_rule"]["ip_protocol"],
            dns.json()["security_group_rule"]["from_port"],
            dns.json()["security_group_rule"]["ip_range"]) == ("UDP", 53,
                                                               {"cidr": "0.0.0.0/0"})
    ping = _rule(cloud, h, gid, ip_protocol="icmp", from_port=-1, to_port=-1,
                 cidr="0.0.0.0/0")
    assert ping.status_code == 200, ping.text
    v6 = _rule(cloud, h, gid, ip_protocol="tcp", from_port=1, to_port=65535,
               cidr="fd00::/64")
    assert v6.status_code == 200, v6.text

    for body, text in (
            ({"ip_protocol": "foo", "from_port": 22, "to_port": 22}, "Invalid IP protocol foo."),
            ({"ip_protocol": "tcp", "from_port": 0, "to_port": 22},
             "Invalid port range 0:22. Valid TCP ports should be between 1-65535"),
            ({"ip_protocol": "udp", "from_port": 22, "to_port": 65536},
             "Valid UDP ports should be between 1-65535"),
            ({"ip_protocol": "tcp", "from_port": 22, "to_port": 21},
             "Invalid port range 22:21. Former value cannot be greater than the later"),
            ({"ip_protocol": "icmp", "from_port": 256, "to_port": 0},
             "For ICMP, the type:code must be valid"),
            ({"ip_protocol": "icmp", "from_port": -2, "to_port": 0},
             "For ICMP, the type:code must be valid"),
            ({"ip_protocol": "tcp", "from_port": "abc", "to_port": 22},
             "To and From ports must be integers"),
            ({"ip_protocol": "icmp", "from_port": "x", "to_port": 0},
             "Type and Code must be integers for ICMP protocol type"),
            ({"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "banana"},
             "banana is not a valid IP network."),
            ({"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "10.0.0.300/24"},
             "is not a valid IP network."),
            ({"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "10.0.0.0/0"},
             "Bad prefix for network in cidr 10.0.0.0/0"),
            ({"ip_protocol": "tcp", "cidr": "10.0.0.0/8"},
             "Not enough parameters to build a valid rule."),
            ({"from_port": 1, "to_port": 2}, "Not enough parameters to build a valid rule."),
            ({"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "10.0.0.0/24"},
             f"This rule already exists in group {gid}")):
        _bad(_rule(cloud, h, gid, **body), text)
    _bad(_rule(cloud, h, "abc", ip_protocol="tcp", from_port=1, to_port=2),
         "Security group id should be integer")
    _bad(_rule(cloud, h, 999999, ip_protocol="tcp", from_port=1, to_port=2),
         "Security group 999999 not found.", 404)
    _bad(cloud.compute.post("/v2.1/os-security-group-rules", headers=h, json={}),
         "The request body can't be empty")

    # From the members of a source group: everything when no protocol is given, a
    # protocol's whole range when no ports are.
    clients = _create(cloud, h, name="clients").json()["security_group"]
    anything = _rule(cloud, h, gid, group_id=clients["id"])
    assert anything.status_code == 200, anything.text
    sourced = anything.json()["security_group_rule"]
    assert (sourced["ip_protocol"], sourced["from_port"], sourced["to_port"],
            sourced["group"], sourced["ip_range"]) == (
        None, None, None, {"name": "clients", "tenant_id": web["tenant_id"]}, {})
    tcp_all = _rule(cloud, h, gid, group_id=clients["id"], ip_protocol="tcp")
    assert tcp_all.status_code == 200, tcp_all.text
    assert (tcp_all.json()["security_group_rule"]["from_port"],
            tcp_all.json()["security_group_rule"]["to_port"]) == (1, 65535)
    _bad(_rule(cloud, h, gid, group_id=clients["id"]),
         f"This rule already exists in group {gid}")
    theirs = _groups(cloud, cloud.make_user("member")["headers"])[0]
    _bad(_rule(cloud, h, gid, group_id=theirs["id"]),
         f"Security group {theirs['id']} not found.", 404)

    shown = cloud.compute.get(f"/v2.1/os-security-groups/{gid}", headers=h).json()
    rules = shown["security_group"]["rules"]
    assert [r["id"] for r in rules] == [
        x.json()["security_group_rule"]["id"] for x in (ssh, dns, ping, v6, anything,
                                                          tcp_all)]
    assert all(set(r) == RULE_KEYS for r in rules)

    rule_id = dns.json()["security_group_rule"]["id"]
    assert cloud.compute.delete(f"/v2.1/os-security-group-rules/{rule_id}",
                                headers=h).status_code == 202
    _bad(cloud.compute.delete(f"/v2.1/os-security-group-rules/{rule_id}", headers=h),
         f"Rule ({rule_id}) not found", 404)
    _bad(cloud.compute.delete("/v2.1/os-security-group-rules/x", headers=h),
         "Security group id should be integer")
    # Deleting the source group takes the rules that name it.
    assert cloud.compute.delete(f"/v2.1/os-security-groups/{clients['id']}",
                                headers=h).status_code == 202
    left = cloud.compute.get(f"/v2.1/os-security-groups/{gid}", headers=h).json()
    assert [r["ip_protocol"] for r in left["security_group"]["rules"]] == [
        "tcp", "icmp", "tcp"]


def test_quotas_of_groups_and_rules_are_counted_and_enforced(cloud: Cloud) -> None:
    admin = cloud.headers()
    member = cloud.make_user("member")
    h, pid = member["headers"], member["project_id"]
    quota = cloud.compute.put(f"/v2.1/os-quota-sets/{pid}", headers=at(admin, 35),
                              json={"quota_set": {"security_groups": 2,
                                                  "security_group_rules": 1}})
    assert quota.status_code == 200, quota.text
    web = _create(cloud, h).json()["security_group"]  # with default: 2 of 2
    over = _create(cloud, h, name="more")
    _bad(over, "Quota exceeded, too many security groups.", 403)
    assert "forbidden" in over.json()
    assert [g["name"] for g in _groups(cloud, h)] == ["default", "web"]

    detail = cloud.compute.get(f"/v2.1/os-quota-sets/{pid}/detail",
                               headers=at(admin, 35)).json()["quota_set"]
    assert detail["security_groups"] == {"limit": 2, "in_use": 2, "reserved": 0}
    assert detail["security_group_rules"]["in_use"] == 0  # per group, as Nova shows it
    limits = cloud.compute.get("/v2.1/limits", headers=at(h, 35)).json()["limits"]
    assert (limits["absolute"]["maxSecurityGroups"],
            limits["absolute"]["totalSecurityGroupsUsed"],
            limits["absolute"]["maxSecurityGroupRules"]) == (2, 2, 1)
    assert "totalSecurityGroupsUsed" not in cloud.compute.get(
        "/v2.1/limits", headers=at(h, 36)).json()["limits"]["absolute"]

    assert _rule(cloud, h, web["id"], ip_protocol="tcp", from_port=80,
                 to_port=80).status_code == 200
    _bad(_rule(cloud, h, web["id"], ip_protocol="tcp", from_port=443, to_port=443),
         "Quota exceeded, too many security group rules.", 403)
    # Per group: another group has room.
    default = [g for g in _groups(cloud, h) if g["name"] == "default"][0]
    assert _rule(cloud, h, default["id"], ip_protocol="tcp", from_port=443,
                 to_port=443).status_code == 200
    # A lower quota than the usage is refused without force.
    lower = cloud.compute.put(f"/v2.1/os-quota-sets/{pid}", headers=at(admin, 35),
                              json={"quota_set": {"security_groups": 1}})
    assert lower.status_code == 400, lower.text


def test_servers_join_groups_at_create_show_them_and_add_and_remove_them(
        cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = member["headers"]
    web = _create(cloud, h).json()["security_group"]
    image = cloud.create_image(cloud.headers(), visibility="public")

    unknown = cloud.compute.post("/v2.1/servers", headers=at(h, 47), json={"server": {
        "name": "vm", "imageRef": image["id"], "flavorRef": "1", "networks": "none",
        "security_groups": [{"name": "web"}, {"name": "nope"}]}})
    _bad(unknown, f"Security group nope not found for project {member['project_id']}.")
    assert cloud.compute.get("/v2.1/servers", headers=h).json()["servers"] == []

    created = cloud.boot(h, image["id"], security_groups=[{"name": "web"}, {"name": "web"}])
    assert created["security_groups"] == [{"name": "web"}]
    sid = created["id"]
    server = cloud.wait_for_server(h, sid)
    assert server["status"] == "ACTIVE" and server["security_groups"] == [{"name": "web"}]
    plain = cloud.boot(h, image["id"], version="2.90")
    assert plain["security_groups"] == [{"name": "default"}]
    both = cloud.boot(h, image["id"], security_groups=[{"name": "default"}, {"name": "web"}])
    listed = cloud.compute.get("/v2.1/servers/detail", headers=at(h, 90)).json()["servers"]
    assert {s["id"]: s["security_groups"] for s in listed} == {
        sid: [{"name": "web"}], plain["id"]: [{"name": "default"}],
        both["id"]: [{"name": "default"}, {"name": "web"}]}

    mine = cloud.compute.get(f"/v2.1/servers/{sid}/os-security-groups", headers=h)
    assert mine.status_code == 200 and mine.json()["security_groups"] == [web]
    _bad(cloud.compute.delete(f"/v2.1/os-security-groups/{web['id']}", headers=h),
         "Security group is still in use")

    def act(name: str, group: Any, version: int = 2) -> Any:
        return cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=at(h, version),
                                  json={name: group})

    assert act("addSecurityGroup", {"name": "default"}, 90).status_code == 202
    default = [g for g in _groups(cloud, h) if g["name"] == "default"][0]
    _bad(act("addSecurityGroup", {"name": "default"}),
         f"Security group {default['id']} is already associated with the instance {sid}")
    _bad(act("addSecurityGroup", {"name": "nope"}),
         f"Security group nope not found for project {member['project_id']}.", 404)
    _bad(act("addSecurityGroup", {"name": " "}), "Security group name cannot be empty")
    _bad(act("addSecurityGroup", {}), "Security group not specified")
    _bad(act("addSecurityGroup", "web"), "Missing parameter dict")
    shown = cloud.compute.get(f"/v2.1/servers/{sid}", headers=at(h, 2)).json()["server"]
    assert shown["security_groups"] == [{"name": "default"}, {"name": "web"}]
    names = cloud.compute.get(f"/v2.1/servers/{sid}/os-security-groups",
                              headers=at(h, 90)).json()["security_groups"]
    assert [g["name"] for g in names] == ["default", "web"]

    assert act("removeSecurityGroup", {"name": "web"}).status_code == 202
    _bad(act("removeSecurityGroup", {"name": "web"}),
         f"Security group {web['id']} is not associated with the instance {sid}")
    assert cloud.compute.get(f"/v2.1/servers/{sid}", headers=h).json()["server"][
        "security_groups"] == [{"name": "default"}]
    assert act("addSecurityGroup", {"name": "web"}).status_code == 202
    outsider = cloud.make_user("member")["headers"]
    assert cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=outsider,
                              json={"addSecurityGroup": {"name": "web"}}).status_code == 404

    # A deleted server leaves its groups, which can then be deleted.
    for server_id in (sid, both["id"]):
        assert cloud.compute.delete(f"/v2.1/servers/{server_id}", headers=h).status_code == 204
        cloud.wait_until_gone(h, server_id)
    assert cloud.compute.delete(f"/v2.1/os-security-groups/{web['id']}",
                                headers=h).status_code == 202


def test_the_proxy_apis_are_gone_from_2_36_but_a_server_s_groups_stay(cloud: Cloud) -> None:
    admin = cloud.headers()
    groups = _groups(cloud, admin)
    gid = groups[0]["id"]
    for method, path in (("GET", "/v2.1/os-security-groups"),
                         ("POST", "/v2.1/os-security-groups"),
                         ("GET", f"/v2.1/os-security-groups/{gid}"),
                         ("PUT", f"/v2.1/os-security-groups/{gid}"),
                         ("DELETE", f"/v2.1/os-security-groups/{gid}"),
                         ("POST", "/v2.1/os-security-group-rules"),
                         ("DELETE", "/v2.1/os-security-group-rules/1"),
                         ("GET", "/v2.1/os-security-group-default-rules"),
                         ("POST", "/v2.1/os-security-group-default-rules"),
                         ("GET", "/v2.1/os-security-group-default-rules/1"),
                         ("DELETE", "/v2.1/os-security-group-default-rules/1")):
        resp = cloud.compute.request(method, path, headers=at(admin, 36), json={})
        assert resp.status_code == 404, (method, path, resp.text)
        assert "itemNotFound" in resp.json()
    assert cloud.compute.get(f"/v2.1/os-security-groups/{gid}",
                             headers=at(admin, 35)).status_code == 200
    sid = cloud.active_server(admin)
    assert cloud.compute.get(f"/v2.1/servers/{sid}/os-security-groups",
                             headers=at(admin, 96)).json()["security_groups"][0]["id"] == gid
    assert cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=at(admin, 96),
                              json={"removeSecurityGroup": {"name": "default"}}
                              ).status_code == 202
    shown = cloud.compute.get(f"/v2.1/servers/{sid}", headers=at(admin, 96)).json()
    assert "security_groups" not in shown["server"]  # none: not shown, as Nova


def test_default_rules_are_admins_and_copied_into_new_default_groups(cloud: Cloud) -> None:
    admin = cloud.headers()
    path = "/v2.1/os-security-group-default-rules"
    body = {"security_group_default_rule": {"ip_protocol": "TCP", "from_port": "80",
                                            "to_port": "80", "cidr": "10.10.10.0/24"}}
    created = cloud.compute.post(path, headers=admin, json=body)
    assert created.status_code == 200, created.text
    rule = created.json()["security_group_default_rule"]
    assert rule == {"id": rule["id"], "ip_protocol": "TCP", "from_port": 80, "to_port": 80,
                    "ip_range": {"cidr": "10.10.10.0/24"}}
    _bad(cloud.compute.post(path, headers=admin, json=body),
         "This default rule already exists.", 409)
    _bad(cloud.compute.post(path, headers=admin, json={"security_group_default_rule": {
        "ip_protocol": "tcp", "from_port": 9, "to_port": 8}}), "Former value cannot")
    assert cloud.compute.get(path, headers=admin).json() == {
        "security_group_default_rules": [rule]}
    assert cloud.compute.get(f"{path}/{rule['id']}", headers=admin).json() == {
        "security_group_default_rule": rule}
    _bad(cloud.compute.get(f"{path}/999", headers=admin),
         "Security group default rule (999) not found.", 404)
    _bad(cloud.compute.get(f"{path}/x", headers=admin), "Security group id should be integer")
    member = cloud.make_user("member")["headers"]
    assert cloud.compute.get(path, headers=member).status_code == 403
    assert cloud.compute.post(path, headers=member, json=body).status_code == 403

    # A project's default group made now starts with a copy of the default rules.
    default = _groups(cloud, member)[0]
    assert [(r["ip_protocol"], r["from_port"], r["to_port"], r["ip_range"], r["group"])
            for r in default["rules"]] == [("TCP", 80, 80, {"cidr": "10.10.10.0/24"}, {})]
    assert cloud.compute.delete(f"{path}/{rule['id']}", headers=admin).status_code == 204
    assert cloud.compute.get(path, headers=admin).json() == {
        "security_group_default_rules": []}
    _bad(cloud.compute.delete(f"{path}/{rule['id']}", headers=admin),
         f"Security group default rule ({rule['id']}) not found.", 404)
    # The copy stays; a later project starts with none.
    assert len(_groups(cloud, member)[0]["rules"]) == 1
    assert _groups(cloud, cloud.make_user("member")["headers"])[0]["rules"] == []


def _net(cloud: Cloud, admin: dict[str, str], cidr: str) -> str:
    resp = cloud.compute.post("/v2.1/os-networks", headers=admin,
                              json={"network": {"label": "sg-net", "cidr": cidr}})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["network"]["id"])


def _fixed_ips(server: dict[str, Any]) -> list[str]:
    return [a["addr"] for addrs in server["addresses"].values() for a in addrs]


def test_rules_for_instances_gives_each_server_its_rules_and_sources_ips(
        cloud: Cloud) -> None:
    admin = cloud.headers()
    net = _net(cloud, admin, "10.80.0.0/24")
    member = cloud.make_user("member")
    h = member["headers"]
    web = _create(cloud, h).json()["security_group"]
    clients = _create(cloud, h, name="clients").json()["security_group"]
    assert _rule(cloud, h, web["id"], ip_protocol="TCP", from_port=80, to_port=80,
                 cidr="192.0.2.0/24").status_code == 200
    assert _rule(cloud, h, web["id"], group_id=clients["id"]).status_code == 200
    assert _rule(cloud, h, web["id"], group_id=clients["id"],
                 ip_protocol="icmp").status_code == 200
    image = cloud.create_image(admin, visibility="public")
    ids = {}
    for name, groups in (("server", ["web"]), ("client1", ["clients"]),
                         ("client2", ["clients", "default"])):
        ids[name] = cloud.boot(h, image["id"], name=name, networks=[{"uuid": net}],
                               security_groups=[{"name": g} for g in groups])["id"]
    servers = {n: cloud.wait_for_server(h, sid) for n, sid in ids.items()}
    assert all(s["status"] == "ACTIVE" for s in servers.values())
    client_ips = sorted(ip for n in ("client1", "client2") for ip in _fixed_ips(servers[n]))
    assert len(client_ips) == 2

    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = db.get_engine()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        with db.reader() as s:
            rules = security_groups.rules_for_instances(s, [*ids.values(), "nobody"])
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 2  # whatever the number of servers
    assert rules == {
        ids["server"]: [
            {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr": "192.0.2.0/24",
             "source_ips": None},
            {"protocol": None, "from_port": None, "to_port": None, "cidr": None,
             "source_ips": client_ips},
            {"protocol": "icmp", "from_port": -1, "to_port": -1, "cidr": None,
             "source_ips": client_ips}],
        ids["client1"]: [], ids["client2"]: [], "nobody": []}

    # A member that leaves takes its address out of the sources.
    assert cloud.compute.delete(f"/v2.1/servers/{ids['client1']}",
                                headers=h).status_code == 204
    cloud.wait_until_gone(h, ids["client1"])
    with db.reader() as s:
        after = security_groups.rules_for_instances(s, [ids["server"]])
    assert after[ids["server"]][1]["source_ips"] == _fixed_ips(servers["client2"])


@pytest.mark.parametrize("change", ["group", "rule", "membership"])
def test_every_change_is_cast_to_the_network_agents(cloud: Cloud, change: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    heard = threading.Event()
    original = NetworkManager.security_groups_changed

    def listening(self: NetworkManager, ctx: Any) -> None:
        heard.set()
        original(self, ctx)

    h = cloud.make_user("member")["headers"]
    web = _create(cloud, h).json()["security_group"]
    sid = cloud.active_server(h) if change == "membership" else None
    monkeypatch.setattr(NetworkManager, "security_groups_changed", listening)
    if change == "group":
        resp = cloud.compute.put(f"/v2.1/os-security-groups/{web['id']}", headers=h,
                                 json={"security_group": {"name": "w", "description": "d"}})
    elif change == "rule":
        resp = _rule(cloud, h, web["id"], ip_protocol="tcp", from_port=22, to_port=22)
    else:
        resp = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=h,
                                  json={"addSecurityGroup": {"name": "web"}})
    assert resp.status_code in (200, 202), resp.text
    deadline = time.monotonic() + 10
    while not heard.is_set():
        assert time.monotonic() < deadline, "no network agent heard security_groups_changed"
        time.sleep(0.01)
