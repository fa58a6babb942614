"""2.55 flavor description, 2.61 flavor extra specs, 2.50 and 2.57 quota and limit keys."""
from __future__ import annotations

import pathlib
from typing import Any


from stratus import policy
from stratus.config import CONF
from tests.functional.conftest import Cloud
from tests.functional.microversions import at



FLAVOR = {"name": "described", "ram": 256, "vcpus": 1, "disk": 1, "id": "described"}


def _flavor(cloud: Cloud, headers: dict[str, str], minor: int, path: str) -> Any:
    resp = cloud.compute.get(f"/v2.1/flavors{path}", headers=at(headers, minor))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return body.get("flavor") or next(f for f in body["flavors"] if f["id"] == "described")


def test_flavor_description(cloud: Cloud) -> None:
    admin = cloud.headers()
    old = cloud.compute.post("/v2.1/flavors", headers=at(admin, 54),
                             json={"flavor": {**FLAVOR, "description": "no"}})
    assert old.status_code == 400 and "description" in old.json()["badRequest"]["message"]
    created = cloud.compute.post("/v2.1/flavors", headers=at(admin, 55),
                                 json={"flavor": {**FLAVOR, "description": "for tests"}})
    assert created.status_code == 200 and created.json()["flavor"]["description"] == "for tests"
    member = cloud.make_user("member")["headers"]
    for path in ("", "/detail", "/described"):
        assert _flavor(cloud, member, 55, path)["description"] == "for tests", path
        assert "description" not in _flavor(cloud, member, 54, path), path
    assert set(_flavor(cloud, member, 55, "")) == {"id", "name", "links", "description"}

    url = "/v2.1/flavors/described"
    # headers, minor, body, then the status code
    table: list[tuple[dict[str, str], int, Any, int]] = [
        (admin, 55, {"flavor": {"description": "changed"}}, 200),
        (admin, 55, {"flavor": {"description": None}}, 200),
        (admin, 55, {"flavor": {"description": "x" * 65535}}, 200),
        (admin, 55, {"flavor": {"description": "x" * 65536}}, 400),
        (admin, 55, {"flavor": {"description": "bad\nline"}}, 400),
        (admin, 55, {"flavor": {}}, 400),
        (admin, 55, {"flavor": {"description": "d", "name": "renamed"}}, 400),
        (admin, 54, {"flavor": {"description": "too early"}}, 404),
        (member, 55, {"flavor": {"description": "not mine"}}, 403),
    ]
    for headers, minor, body, code in table:
        resp = cloud.compute.put(url, headers=at(headers, minor), json=body)
        assert resp.status_code == code, (minor, body, resp.text)
        if code == 200:
            flavor = resp.json()["flavor"]
            assert (flavor["id"], flavor["ram"]) == ("described", 256)
            assert flavor["description"] == body["flavor"]["description"]
    assert _flavor(cloud, member, 55, "/described")["description"] == "x" * 65535
    missing = cloud.compute.put("/v2.1/flavors/nope", headers=at(admin, 55),
                                json={"flavor": {"description": "x"}})
    assert missing.status_code == 404 and "itemNotFound" in missing.json()


def test_flavor_extra_specs_in_views(cloud: Cloud, tmp_path: pathlib.Path) -> None:
    admin = cloud.headers()
    created = cloud.compute.post("/v2.1/flavors", headers=at(admin, 61),
                                 json={"flavor": FLAVOR}).json()["flavor"]
    assert created["extra_specs"] == {} and created["description"] is None
    cloud.compute.post("/v2.1/flavors/described/os-extra_specs", headers=admin,
                       json={"extra_specs": {"hw:cpu_policy": "dedicated"}})
    member = cloud.make_user("member")["headers"]
    specs = {"hw:cpu_policy": "dedicated"}
    for headers in (admin, member):
        for path in ("/detail", "/described"):
            assert _flavor(cloud, headers, 61, path)["extra_specs"] == specs, path
            assert "extra_specs" not in _flavor(cloud, headers, 60, path), path
        assert "extra_specs" not in _flavor(cloud, headers, 61, "")
    updated = cloud.compute.put("/v2.1/flavors/described", headers=at(admin, 61),
                                json={"flavor": {"description": "d"}}).json()["flavor"]
    assert updated["extra_specs"] == specs

    rules = tmp_path / "policy.yaml"
    rules.write_text('"os_compute_api:os-flavor-extra-specs:index": "role:admin"\n')
    CONF.set_override("policy_file", str(rules), group="oslo_policy")
    policy.reset()
    try:
        assert "extra_specs" not in _flavor(cloud, member, 61, "/described")
        assert "extra_specs" not in _flavor(cloud, member, 61, "/detail")
        assert _flavor(cloud, admin, 61, "/described")["extra_specs"] == specs
    finally:
        CONF.clear_override("policy_file", group="oslo_policy")
        policy.reset()


BASE = {"instances", "cores", "ram", "key_pairs", "metadata_items"}
GROUPS = {"server_groups", "server_group_members"}
INJECTED = {"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"}
NETWORK = {"floating_ips", "fixed_ips", "security_groups", "security_group_rules"}


def test_quota_keys_per_microversion(cloud: Cloud) -> None:
    admin = cloud.headers()
    pid = cloud.make_user("member")["project_id"]
    # microversion, then the keys of a quota class set and of a project's quota set
    table = [
        (49, BASE | INJECTED | NETWORK, BASE | GROUPS | INJECTED),
        (50, BASE | GROUPS | INJECTED, BASE | GROUPS | INJECTED),
        (56, BASE | GROUPS | INJECTED, BASE | GROUPS | INJECTED),
        (57, BASE | GROUPS, BASE | GROUPS),
    ]
    for minor, class_keys, project_keys in table:
        h = at(admin, minor)
        klass = cloud.compute.get("/v2.1/os-quota-class-sets/default", headers=h).json()
        assert set(klass["quota_class_set"]) == class_keys | {"id"}, minor
        put = cloud.compute.put("/v2.1/os-quota-class-sets/default", headers=h,
                                json={"quota_class_set": {"cores": 30}}).json()
        assert set(put["quota_class_set"]) == class_keys, minor
        for path in ("", "/defaults", "/detail"):
            shown = cloud.compute.get(f"/v2.1/os-quota-sets/{pid}{path}", headers=h).json()
            assert set(shown["quota_set"]) == project_keys | {"id"}, (minor, path)
        put = cloud.compute.put(f"/v2.1/os-quota-sets/{pid}", headers=h,
                                json={"quota_set": {"cores": 30}}).json()
        assert set(put["quota_set"]) == project_keys, minor


def test_quota_updates_per_microversion(cloud: Cloud) -> None:
    admin = cloud.headers()
    pid = cloud.make_user("member")["project_id"]
    # microversion, path, the body's quota, then the status code
    table = [
        (49, "/os-quota-class-sets/default", {"server_groups": 7}, 200),
        (49, "/os-quota-class-sets/default", {"floating_ips": 7}, 200),
        (50, "/os-quota-class-sets/default", {"server_group_members": 8}, 200),
        (50, "/os-quota-class-sets/default", {"floating_ips": 7}, 400),
        (56, "/os-quota-class-sets/default", {"injected_files": 3}, 200),
        (57, "/os-quota-class-sets/default", {"injected_files": 3}, 400),
        (56, f"/os-quota-sets/{pid}", {"injected_file_path_bytes": 3}, 200),
        (57, f"/os-quota-sets/{pid}", {"injected_file_path_bytes": 3}, 400),
        (57, f"/os-quota-sets/{pid}", {"cores": 2 ** 31}, 400),
    ]
    for minor, path, values, code in table:
        wrapper = "quota_class_set" if "class" in path else "quota_set"
        resp = cloud.compute.put(f"/v2.1{path}", headers=at(admin, minor),
                                 json={wrapper: values})
        assert resp.status_code == code, (minor, path, values, resp.text)
    klass = cloud.compute.get("/v2.1/os-quota-class-sets/default",
                              headers=at(admin, 57)).json()["quota_class_set"]
    assert (klass["server_groups"], klass["server_group_members"]) == (7, 8)


def test_limits_drop_personality_at_2_57(cloud: Cloud) -> None:
    member = cloud.make_user("member")["headers"]
    personality = {"maxPersonality", "maxPersonalitySize"}
    for minor, shown in ((56, True), (57, False)):
        absolute = cloud.compute.get("/v2.1/limits",
                                     headers=at(member, minor)).json()["limits"]["absolute"]
        assert (personality <= set(absolute)) is shown, minor
        assert absolute["maxTotalInstances"] == 10
