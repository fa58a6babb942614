"""/os-quota-sets, /os-quota-class-sets and /limits (seed 5.1.2)."""
from __future__ import annotations

from tests.functional.conftest import Cloud

V247 = {"OpenStack-API-Version": "compute 2.47"}


def test_quota_sets(cloud: Cloud) -> None:
    admin = {**cloud.headers(), **V247}
    member = cloud.make_user("member")
    pid = member["project_id"]
    shown = cloud.compute.get(f"/v2.1/os-quota-sets/{pid}", headers=admin).json()["quota_set"]
    assert shown == {"id": pid, "instances": 10, "cores": 20, "ram": 51200, "key_pairs": 100,
                     "metadata_items": 128, "server_groups": 10, "server_group_members": 10,
                     "injected_files": 5, "injected_file_content_bytes": 10240,
                     "injected_file_path_bytes": 255}
    old = cloud.compute.get(f"/v2.1/os-quota-sets/{pid}", headers=cloud.headers()).json()
    assert old["quota_set"]["floating_ips"] == 10 and old["quota_set"]["fixed_ips"] == -1
    updated = cloud.compute.put(f"/v2.1/os-quota-sets/{pid}", headers=admin,
                                json={"quota_set": {"instances": 3, "ram": -1}}).json()
    assert updated["quota_set"]["instances"] == 3 and updated["quota_set"]["ram"] == -1
    assert "id" not in updated["quota_set"]
    mine = cloud.compute.get(f"/v2.1/os-quota-sets/{pid}", headers=member["headers"])
    assert mine.json()["quota_set"]["instances"] == 3
    denied = cloud.compute.put(f"/v2.1/os-quota-sets/{pid}", headers=member["headers"],
                               json={"quota_set": {"instances": 100}})
    assert denied.status_code == 403
    other = cloud.make_user("member")
    assert cloud.compute.get(f"/v2.1/os-quota-sets/{pid}",
                             headers=other["headers"]).status_code == 403
    bad = cloud.compute.put(f"/v2.1/os-quota-sets/{pid}", headers=admin,
                            json={"quota_set": {"instances": "lots"}})
    assert bad.status_code == 400
    unknown = cloud.compute.put(f"/v2.1/os-quota-sets/{pid}", headers=admin,
                                json={"quota_set": {"widgets": 1}})
    assert unknown.status_code == 400
    defaults = cloud.compute.get(f"/v2.1/os-quota-sets/{pid}/defaults", headers=admin).json()
    assert defaults["quota_set"]["instances"] == 10
    assert cloud.compute.delete(f"/v2.1/os-quota-sets/{pid}", headers=admin).status_code == 202
    assert cloud.compute.get(f"/v2.1/os-quota-sets/{pid}",
                             headers=admin).json()["quota_set"]["instances"] == 10


def test_quota_detail_and_limits_show_use(cloud: Cloud) -> None:
    admin = cloud.headers()
    image = cloud.create_image(admin, visibility="public")
    member = cloud.make_user("member")
    sid = cloud.boot(member["headers"], image["id"], flavor="2")["id"]
    cloud.wait_for_server(member["headers"], sid)
    detail = cloud.compute.get(f"/v2.1/os-quota-sets/{member['project_id']}/detail",
                               headers=member["headers"]).json()["quota_set"]
    assert detail["instances"] == {"limit": 10, "in_use": 1, "reserved": 0}
    assert detail["ram"]["in_use"] == 2048 and detail["cores"]["in_use"] == 1
    limits = cloud.compute.get("/v2.1/limits", headers={**member["headers"], **V247}).json()
    absolute = limits["limits"]["absolute"]
    assert absolute["totalInstancesUsed"] == 1 and absolute["totalRAMUsed"] == 2048
    assert absolute["maxTotalInstances"] == 10 and "maxImageMeta" not in absolute
    assert limits["limits"]["rate"] == []
    old = cloud.compute.get("/v2.1/limits", headers=member["headers"]).json()
    assert old["limits"]["absolute"]["maxImageMeta"] == 128
    other = cloud.compute.get(f"/v2.1/limits?tenant_id={member['project_id']}",
                              headers=admin).json()
    assert other["limits"]["absolute"]["totalInstancesUsed"] == 1
    denied = cloud.compute.get(f"/v2.1/limits?tenant_id={cloud.admin_project_id}",
                               headers=member["headers"])
    assert denied.status_code == 403


def test_quota_class_sets(cloud: Cloud) -> None:
    admin = {**cloud.headers(), **V247}
    resp = cloud.compute.put("/v2.1/os-quota-class-sets/default", headers=admin,
                             json={"quota_class_set": {"instances": 7}})
    assert resp.status_code == 200 and resp.json()["quota_class_set"]["instances"] == 7
    member = cloud.make_user("member")
    shown = cloud.compute.get(f"/v2.1/os-quota-sets/{member['project_id']}", headers=admin)
    assert shown.json()["quota_set"]["instances"] == 7
    klass = cloud.compute.get("/v2.1/os-quota-class-sets/default", headers=admin).json()
    assert klass["quota_class_set"]["id"] == "default"
    assert "server_groups" not in klass["quota_class_set"]
