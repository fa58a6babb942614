"""/flavors: the seed's defaults, admin management, private flavors, extra specs."""
from __future__ import annotations

from tests.functional.conftest import Cloud


def test_default_flavors(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    flavors = cloud.compute.get("/v2.1/flavors/detail", headers=member["headers"]).json()
    table = {f["name"]: (f["id"], f["vcpus"], f["ram"], f["disk"]) for f in flavors["flavors"]}
    assert table == {"m1.tiny": ("1", 1, 512, 1), "m1.small": ("2", 1, 2048, 20),
                     "m1.medium": ("3", 2, 4096, 40), "m1.large": ("4", 4, 8192, 80),
                     "m1.xlarge": ("5", 8, 16384, 160)}
    tiny = cloud.compute.get("/v2.1/flavors/1", headers=member["headers"]).json()["flavor"]
    assert tiny["swap"] == "" and tiny["os-flavor-access:is_public"] is True
    assert tiny["OS-FLV-EXT-DATA:ephemeral"] == 0 and tiny["OS-FLV-DISABLED:disabled"] is False
    brief = cloud.compute.get("/v2.1/flavors?minRam=4096", headers=member["headers"]).json()
    assert [f["name"] for f in brief["flavors"]] == ["m1.medium", "m1.large", "m1.xlarge"]
    assert set(brief["flavors"][0]) == {"id", "name", "links"}
    page = cloud.compute.get("/v2.1/flavors?limit=2&marker=2", headers=member["headers"]).json()
    assert [f["id"] for f in page["flavors"]] == ["3", "4"]
    assert cloud.compute.get("/v2.1/flavors/nope", headers=member["headers"]).status_code == 404


def test_admin_creates_and_deletes_flavors(cloud: Cloud) -> None:
    admin = cloud.headers()
    body = {"flavor": {"name": "c1.custom", "ram": 1024, "vcpus": 2, "disk": 10,
                       "OS-FLV-EXT-DATA:ephemeral": 5, "swap": 512, "id": "custom-1"}}
    resp = cloud.compute.post("/v2.1/flavors", headers=admin, json=body)
    assert resp.status_code == 200
    flavor = resp.json()["flavor"]
    assert (flavor["id"], flavor["ram"], flavor["swap"], flavor["OS-FLV-EXT-DATA:ephemeral"]) \
        == ("custom-1", 1024, 512, 5)
    assert cloud.compute.post("/v2.1/flavors", headers=admin, json=body).status_code == 409
    auto = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
        "name": "auto-id", "ram": 64, "vcpus": 1, "disk": 0}}).json()["flavor"]
    assert len(auto["id"]) == 36
    bad = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
        "name": "bad", "ram": -5, "vcpus": 1, "disk": 0}})
    assert bad.status_code == 400
    member = cloud.make_user("member")
    denied = cloud.compute.post("/v2.1/flavors", headers=member["headers"], json=body)
    assert denied.status_code == 403
    assert cloud.compute.delete("/v2.1/flavors/custom-1", headers=admin).status_code == 202
    assert cloud.compute.get("/v2.1/flavors/custom-1", headers=admin).status_code == 404


def test_private_flavor_access(cloud: Cloud) -> None:
    admin = cloud.headers()
    member = cloud.make_user("member")
    other = cloud.make_user("member")
    flavor = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
        "name": "p1.medium", "ram": 512, "vcpus": 4, "disk": 40,
        "os-flavor-access:is_public": False}}).json()["flavor"]
    fid = flavor["id"]
    assert cloud.compute.get(f"/v2.1/flavors/{fid}", headers=member["headers"]).status_code \
        == 404
    resp = cloud.compute.post(f"/v2.1/flavors/{fid}/action", headers=admin,
                              json={"addTenantAccess": {"tenant": member["project_id"]}})
    assert resp.json() == {"flavor_access": [{"flavor_id": fid,
                                              "tenant_id": member["project_id"]}]}
    assert cloud.compute.get(f"/v2.1/flavors/{fid}", headers=member["headers"]).status_code \
        == 200
    names = [f["name"] for f in cloud.compute.get("/v2.1/flavors",
                                                  headers=member["headers"]).json()["flavors"]]
    assert "p1.medium" in names
    assert cloud.compute.get(f"/v2.1/flavors/{fid}", headers=other["headers"]).status_code == 404
    again = cloud.compute.post(f"/v2.1/flavors/{fid}/action", headers=admin,
                               json={"addTenantAccess": {"tenant": member["project_id"]}})
    assert again.status_code == 409
    assert cloud.compute.get("/v2.1/flavors/1/os-flavor-access",
                             headers=admin).status_code == 404
    cloud.compute.post(f"/v2.1/flavors/{fid}/action", headers=admin,
                       json={"removeTenantAccess": {"tenant": member["project_id"]}})
    assert cloud.compute.get(f"/v2.1/flavors/{fid}/os-flavor-access",
                             headers=admin).json() == {"flavor_access": []}


def test_extra_specs(cloud: Cloud) -> None:
    admin = cloud.headers()
    base = "/v2.1/flavors/1/os-extra_specs"
    resp = cloud.compute.post(base, headers=admin,
                              json={"extra_specs": {"hw:cpu_policy": "dedicated", "n": 2}})
    assert resp.json() == {"extra_specs": {"hw:cpu_policy": "dedicated", "n": "2"}}
    assert cloud.compute.put(f"{base}/n", headers=admin, json={"n": "3"}).json() == {"n": "3"}
    assert cloud.compute.get(f"{base}/n", headers=admin).json() == {"n": "3"}
    assert cloud.compute.delete(f"{base}/n", headers=admin).status_code == 200
    assert cloud.compute.get(base, headers=admin).json() == {
        "extra_specs": {"hw:cpu_policy": "dedicated"}}
    assert cloud.compute.get(f"{base}/n", headers=admin).status_code == 404
    member = cloud.make_user("member")
    assert cloud.compute.post(base, headers=member["headers"],
                              json={"extra_specs": {"a": "b"}}).status_code == 403
    assert cloud.compute.put(f"{base}/a", headers=admin, json={"b": "c"}).status_code == 400


def test_numeric_flavor_id_is_kept_as_its_text(cloud: Cloud) -> None:
    """Tempest and old clients send integer ids; Nova stores them as text."""
    admin = cloud.headers()
    resp = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
        "name": "numeric", "ram": 64, "vcpus": 1, "disk": 0, "id": 424242}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["flavor"]["id"] == "424242"
    assert cloud.compute.get("/v2.1/flavors/424242", headers=admin).json()["flavor"][
        "name"] == "numeric"
    for bad in (-1, 1.5, True):
        refused = cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
            "name": "bad-id", "ram": 64, "vcpus": 1, "disk": 0, "id": bad}})
        assert refused.status_code == 400, (bad, refused.text)
        assert "id" in refused.json()["badRequest"]["message"]
