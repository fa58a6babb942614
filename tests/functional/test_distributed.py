"""The distributed mode: every service its own process, on RabbitMQ and a real SQL server,
with conductors and schedulers replicated."""
from __future__ import annotations

import concurrent.futures
import hashlib
import hmac
import pathlib
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.functional.distributed import METADATA_SECRET, Deployment
from tests.functional.servers import scratch_database, scratch_vhost
from tests.functional.test_openstack_clients import osc_flow

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["mysql", "postgresql"])
def deployment(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with scratch_database(request.param) as database, scratch_vhost() as transport:
        cloud = Deployment(tmp_path_factory.mktemp("distributed") / "state", database,
                           transport, computes=2, conductors=2, schedulers=2, apis=2)
        try:
            yield cloud.start()
        finally:
            cloud.stop()


def test_replicated_services_on_real_servers(deployment: Deployment,
                                             tmp_path: pathlib.Path) -> None:
    osc_flow(deployment, tmp_path, hosts=2)

    image = deployment.create_image()
    deployment.set_quota(instances=100, cores=100, ram=1_000_000)
    replica = deployment.api_urls[1]
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(lambda i: deployment.boot(
            image, name=f"p{i}", url=replica if i % 2 else None), range(20)))
    assert [r.status_code for r in responses] == [202] * 20
    ids = [r.json()["server"]["id"] for r in responses]
    servers = deployment.wait_servers(ids, timeout=60)
    assert {s["status"] for s in servers} == {"ACTIVE"}
    per_host = Counter(s["OS-EXT-SRV-ATTR:host"] for s in servers)
    assert set(per_host) == {"compute1", "compute2"}
    # Two APIs, two conductors and two schedulers served these: each was built once.
    assert sorted(s["name"] for s in deployment.servers()) == sorted(f"p{i}" for i in range(20))
    for server_id in ids[:5]:
        actions = deployment.get(f"/v2.1/servers/{server_id}/os-instance-actions").json()
        assert [a["action"] for a in actions["instanceActions"]] == ["create"]
        events = deployment.get(f"/v2.1/servers/{server_id}/os-instance-actions/"
                                f"{actions['instanceActions'][0]['request_id']}").json()
        builds = [e for e in events["instanceAction"]["events"]
                  if "build" in e["event"] and e["result"] == "Success"]
        assert len(builds) == 1, events
    services = deployment.get("/v2.1/os-services").json()["services"]
    assert Counter(s["binary"] for s in services if s["state"] == "up") == {
        "nova-conductor": 2, "nova-scheduler": 2, "nova-compute": 2, "nova-network": 2}


def test_the_metadata_service_serves_a_proxied_guest_and_forgets_what_changed(
        deployment: Deployment) -> None:
    """stratus-metadata on its own: a proxy's signed request gets the server's data, and
    server metadata set through another process shows at once (the conductor's fanout
    over RabbitMQ empties the cache)."""
    resp = deployment.boot(deployment.create_image(), name="md-1",
                           metadata={"role": "db"})
    sid = resp.json()["server"]["id"]
    deployment.wait_servers([sid], timeout=60)
    project = deployment.project_id()
    signature = hmac.new(METADATA_SECRET.encode(), sid.encode(), hashlib.sha256).hexdigest()
    proxied = {"X-Instance-ID": sid, "X-Tenant-ID": project,
               "X-Instance-ID-Signature": signature}
    url = deployment.metadata_url + "/openstack/latest/meta_data.json"
    meta = deployment.http.get(url, headers=proxied).json()
    assert meta["uuid"] == sid and meta["meta"] == {"role": "db"}
    assert deployment.post(f"/v2.1/servers/{sid}/metadata",
                           {"metadata": {"tier": "back"}}).status_code == 200
    deadline = time.monotonic() + 5  # a fanout cast: delivered, not awaited
    while deployment.http.get(url, headers=proxied).json()["meta"] != {
            "role": "db", "tier": "back"}:
        assert time.monotonic() < deadline, "the cached metadata outlived the change"
        time.sleep(0.05)
    forged = {**proxied, "X-Instance-ID-Signature": "0" * 64}
    assert deployment.http.get(url, headers=forged).status_code == 403


def test_quota_holds_under_parallel_creates(deployment: Deployment) -> None:
    """50 creates at once from a project with the default quota of 10 instances, served
    by two conductors: exactly 10 are admitted, the rest get 403."""
    image = deployment.create_image()
    member = deployment.new_member(f"quota-{uuid.uuid4().hex[:6]}")
    with concurrent.futures.ThreadPoolExecutor(25) as pool:
        responses = list(pool.map(lambda i: deployment.boot(image, name=f"q{i}",
                                                            headers=member), range(50)))
    codes = Counter(r.status_code for r in responses)
    assert codes == {202: 10, 403: 40}, codes
    refused = [r.json()["forbidden"]["message"] for r in responses if r.status_code == 403]
    assert all("Quota exceeded for instances" in m for m in refused), refused[:3]
    listed = deployment.http.get(f"{deployment.compute_url}/v2.1/servers",
                                 headers=member).json()["servers"]
    assert len(listed) == 10


def _revoke(deployment: Deployment, how: str, user_id: str, project_id: str) -> None:
    admin, url = {"X-Auth-Token": deployment.headers()["X-Auth-Token"]}, deployment.identity_url
    if how == "delete":
        resp = deployment.http.delete(f"{url}/v3/users/{user_id}", headers=admin)
    elif how == "disable":
        resp = deployment.http.patch(f"{url}/v3/users/{user_id}", headers=admin,
                                     json={"user": {"enabled": False}})
    else:
        role = deployment.http.get(f"{url}/v3/roles?name=member",
                                   headers=admin).json()["roles"][0]
        resp = deployment.http.delete(f"{url}/v3/projects/{project_id}/users/{user_id}/"
                                      f"roles/{role['id']}", headers=admin)
    assert resp.status_code in (200, 204), resp.text


@pytest.mark.parametrize("how", ["delete", "disable", "unassign"])
def test_every_replica_refuses_a_revoked_token_within_a_second(deployment: Deployment,
                                                               how: str) -> None:
    member = deployment.new_member(f"rev-{how}-{uuid.uuid4().hex[:6]}")
    token = deployment.http.get(f"{deployment.identity_url}/v3/auth/tokens", headers={
        "X-Auth-Token": member["X-Auth-Token"],
        "X-Subject-Token": member["X-Auth-Token"]}).json()["token"]
    reads = [f"{u}/v2.1/servers" for u in deployment.api_urls] + [
        f"{deployment.image_url}/v2/images", f"{deployment.identity_url}/v3/auth/projects"]
    assert [deployment.http.get(u, headers=member).status_code for u in reads] == \
        [200] * len(reads)

    _revoke(deployment, how, token["user"]["id"], token["project"]["id"])
    revoked_at = time.monotonic()
    refused_after: dict[str, float] = {}
    while len(refused_after) < len(reads) and time.monotonic() - revoked_at < 5:
        for url in reads:
            if url not in refused_after and \
                    deployment.http.get(url, headers=member).status_code == 401:
                refused_after[url] = time.monotonic() - revoked_at
    assert set(refused_after) == set(reads), refused_after
    assert max(refused_after.values()) < 1.0, refused_after
