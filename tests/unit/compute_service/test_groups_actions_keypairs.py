"""Server group rules, the project of an action's events, key pairs, metadata and zones,
with a fake conductor."""
from __future__ import annotations

from typing import Any

import pytest

from compute_api import keypair_crypto, service
from compute_api.service import (availability_zones, instance_actions, keypairs, metadata,
                                 server_groups)
from stratus import exception
from stratus.context import RequestContext
from tests.unit.compute_service.fakes import ADMIN, MEMBER, FakeGroup, stub


@pytest.mark.parametrize("policy,rules,expected", [
    ("affinity", {}, {}),
    ("anti-affinity", {}, {}),
    ("anti-affinity", {"max_server_per_host": 2}, {"max_server_per_host": 2}),
    ("anti-affinity", {"max_server_per_host": "3"}, {"max_server_per_host": 3}),
    ("affinity", {"max_server_per_host": 2}, None),
    ("soft-anti-affinity", {"max_server_per_host": 2}, None),
])
def test_group_rules(policy: str, rules: dict[str, Any],
                     expected: dict[str, int] | None) -> None:
    if expected is None:
        with pytest.raises(exception.ValidationError, match=f"not {policy}"):
            server_groups.group_rules(policy, rules)
    else:
        assert server_groups.group_rules(policy, rules) == expected


def test_groups_belong_to_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = stub(monkeypatch, server_groups, server_group_create={"uuid": "g1"})
    service.create_server_group(MEMBER, "web", "affinity", {})
    assert fake.calls == [("server_group_create", {
        "project_id": "p1", "user_id": "u1", "name": "web", "policy": "affinity",
        "rules": {}})]


@pytest.mark.parametrize("version,action,looked_up,expected", [
    ((2, 62), {"project_id": "p1", "events": [{}]}, False, "p1"),
    ((2, 62), {"project_id": None, "events": []}, False, ""),
    ((2, 61), {"project_id": None, "events": [{}]}, False, ""),
    ((2, 62), {"project_id": "", "events": [{}]}, True, "p7"),
    ((2, 62), {"project_id": None, "events": [{}]}, True, "p7"),
])
def test_action_owner(monkeypatch: pytest.MonkeyPatch, version: tuple[int, int],
                      action: dict[str, Any], looked_up: bool, expected: str) -> None:
    fake = stub(monkeypatch, instance_actions, instance_get={"project_id": "p7"})
    assert service.action_owner(MEMBER, version, "s1", action) == expected
    assert fake.calls == ([("instance_get", {"instance_uuid": "s1", "project_id": "p1",
                                             "read_deleted": True})] if looked_up else [])


@pytest.mark.parametrize("ctx,project_id", [(MEMBER, "p1"), (ADMIN, None)])
def test_actions_of_the_callers_servers(monkeypatch: pytest.MonkeyPatch,
                                        ctx: RequestContext,
                                        project_id: str | None) -> None:
    fake = stub(monkeypatch, instance_actions, instance_action_list=[],
                instance_action_get={})
    service.list_instance_actions(ctx, "s1", limit=5, marker=None, changes_since=None)
    service.get_instance_action(ctx, "s1", "req-1")
    assert fake.calls == [
        ("instance_action_list", {"instance_uuid": "s1", "project_id": project_id,
                                  "limit": 5, "marker": None, "changes_since": None}),
        ("instance_action_get", {"instance_uuid": "s1", "request_id": "req-1",
                                 "project_id": project_id})]


def _echo_keypair(user_id: str, project_id: str, values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "user_id": user_id, "project_id": project_id}


@pytest.mark.parametrize("generated", [True, False])
def test_create_keypair(monkeypatch: pytest.MonkeyPatch, generated: bool) -> None:
    public = None if generated else keypair_crypto.generate_ssh()[1]
    stub(monkeypatch, keypairs, keypair_create=_echo_keypair)
    created = service.create_keypair(MEMBER, "u2", "k1", "ssh", public)
    row = created["keypair"]
    assert (row["name"], row["type"], row["user_id"], row["project_id"]) == (
        "k1", "ssh", "u2", "p1")
    assert row["fingerprint"] == keypair_crypto.fingerprint(row["public_key"], "ssh")
    if generated:
        assert created["private_key"].startswith("-----BEGIN")
    else:
        assert (row["public_key"], created["private_key"]) == (public, None)


@pytest.mark.parametrize("stored,key,expected", [
    ({"a": "1"}, "a", "1"), ({"a": "1"}, "b", None), ({}, "a", None), ({"": "x"}, "", "x"),
])
def test_server_metadata_item(stored: dict[str, str], key: str,
                              expected: str | None) -> None:
    inst = {"metadata": stored}
    if expected is None:
        with pytest.raises(exception.MetadataItemNotFound):
            service.server_metadata_item(inst, key)
    else:
        assert service.server_metadata_item(inst, key) == expected


@pytest.mark.parametrize("ctx,project_id", [(MEMBER, "p1"), (ADMIN, None)])
def test_update_server_metadata(monkeypatch: pytest.MonkeyPatch, ctx: RequestContext,
                                project_id: str | None) -> None:
    fake = stub(monkeypatch, metadata, instance_metadata_update={"a": "1"})
    assert service.update_server_metadata(ctx, "s1", {}, deletes=["b"]) == {"a": "1"}
    assert fake.calls == [("instance_metadata_update", {
        "instance_uuid": "s1", "updates": {}, "deletes": ["b"], "replace": False,
        "project_id": project_id})]


def _svc(host: str, binary: str = "stratus-compute", disabled: bool = False,
         updated_at: str = "2024-01-01T00:00:00") -> dict[str, Any]:
    return {"host": host, "binary": binary, "disabled": disabled, "updated_at": updated_at}


SERVICES = [_svc("h1"), _svc("h2", disabled=True), _svc("h3"),
            _svc("h1", "stratus-scheduler"), _svc("h4", disabled=True)]
AGGREGATES = [{"hosts": ["h2", "h3"], "metadata": {"availability_zone": "az2"}},
              {"hosts": ["h4"], "metadata": {"availability_zone": "az3"}}]


@pytest.mark.parametrize("up_hosts,expected", [
    ({"h1", "h2", "h3", "h4"}, {"az2": True, "az3": False, "nova": True}),
    ({"h2"}, {"az2": False, "az3": False, "nova": False}),
    ({"h3"}, {"az2": True, "az3": False, "nova": False}),
])
def test_zone_states(monkeypatch: pytest.MonkeyPatch, up_hosts: set[str],
                     expected: dict[str, bool]) -> None:
    monkeypatch.setattr(availability_zones, "get_driver", lambda: FakeGroup(up_hosts))
    computes = [s for s in SERVICES if s["binary"] == "stratus-compute"]
    fake = stub(monkeypatch, availability_zones, aggregate_list=AGGREGATES,
                service_list=computes)
    states = service.zone_states(MEMBER)
    assert states == expected and list(states) == sorted(expected)
    assert ("service_list", {"binary": "stratus-compute"}) in fake.calls


def test_zone_details(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(availability_zones, "get_driver", lambda: FakeGroup({"h1", "h4"}))
    stub(monkeypatch, availability_zones, aggregate_list=AGGREGATES, service_list=SERVICES)
    details = service.zone_details(ADMIN)
    assert [(z["zone"], z["available"], sorted(z["hosts"])) for z in details] == [
        ("az2", False, ["h2", "h3"]), ("az3", False, ["h4"]), ("internal", True, ["h1"]),
        ("nova", True, ["h1"])]
    assert details[3]["hosts"]["h1"] == {"nova-compute": {
        "available": True, "active": True, "updated_at": "2024-01-01T00:00:00"}}
