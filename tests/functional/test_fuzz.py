"""Fuzz every route of the compute, identity and image APIs (docs/fuzzing.md).

Each test boots an embedded cloud, makes real objects for the id pools, then sends:
learning probes (which show the schemas the handlers validate against), a query pass
(each query parameter the handler modules read set to each hostile value), a path pass
(each path parameter set to each hostile value), a schema pass (each node of a valid
body set to each hostile value) and a seeded random pass of STRATUS_FUZZ_REQUESTS
requests shared among the APIs by their route counts. Read-only passes come first, so
a hostile value a write manages to store cannot hide their findings.
"""
from __future__ import annotations

import logging
import os
import pathlib
import re
import sys
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stratus.api import validation
from tests.functional import fuzz
from tests.functional.conftest import ADMIN_PASSWORD, Cloud

REQUESTS = int(os.environ.get("STRATUS_FUZZ_REQUESTS", "1500"))
SEED = int(os.environ.get("STRATUS_FUZZ_SEED", "20240601"))
SECONDS = float(os.environ.get("STRATUS_FUZZ_SECONDS", "90"))
SCHEMA_CAP = int(os.environ.get("STRATUS_FUZZ_SCHEMA_CAP", "300"))
# A name `^x-(a+)+$` backtracks on for seconds when a name filter runs it as a regex.
SLOW_NAME = "x-" + "a" * 26 + "!"
ACTION_VERSIONS = ["2.1", "2.25", "2.47", "2.54", "2.57", "2.64"]
EXTRA_ACTIONS = ["add_host", "remove_host", "set_metadata", "addTenantAccess",
                 "removeTenantAccess"]


def apps() -> dict[str, Any]:
    from compute_api.app import create_app as compute_app
    from identity_api.app import create_app as identity_app
    from image_api.app import create_app as image_app
    return {"compute": compute_app(), "identity": identity_app(), "image": image_app()}


def probe_versions() -> list[str]:
    """2.1, the versions the compute schemas change at, and those a handler picks its
    schema or its branch by (`at_least(N)` next to a validate call, 2.11, 2.53)."""
    import compute_api
    root = pathlib.Path(compute_api.__file__).parent
    minors = {1, 11, 53}
    for path in root.glob("schemas/*.py"):
        minors.update(int(m) for m in re.findall(r"\(2, ?(\d+)\)", path.read_text()))
    for path in root.glob("*.py"):
        for line in path.read_text().splitlines():
            if "validate(" in line:
                minors.update(int(m) for m in re.findall(r"at_least\((\d+)\)", line))
    return [f"2.{m}" for m in sorted(minors)]


def random_share(api: str) -> int:
    """This API's part of STRATUS_FUZZ_REQUESTS, by its share of all routes."""
    counts = {name: len(fuzz.routes(app, name)) for name, app in apps().items()}
    return round(REQUESTS * counts[api] / sum(counts.values()))


@pytest.fixture(autouse=True)
def quiet_rpc_errors() -> Any:
    """The RPC server logs every refused call with a traceback: thousands here."""
    logger = logging.getLogger("oslo_messaging.rpc.server")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def book(monkeypatch: pytest.MonkeyPatch) -> fuzz.SchemaBook:
    """A spy on every handler module's `validate` that records the schemas it sees."""
    recorder = fuzz.SchemaBook()
    apps()
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ("compute_api", "identity_api", "image_api") and \
                getattr(module, "validate", None) is validation.validate:
            monkeypatch.setattr(module, "validate", recorder.spy(validation.validate))
    return recorder


# --- the pools -------------------------------------------------------------------------------

def ok(resp: Any, *codes: int) -> Any:
    assert resp.status_code in codes, f"fuzz setup: {resp.status_code} {resp.text}"
    return resp.json() if resp.content else None


def identity_pools(cloud: Cloud) -> fuzz.Pools:
    admin = cloud.token()
    member = cloud.make_user("member")
    reader = cloud.make_user("reader", project=member["project_name"])
    other = cloud.make_user("member")
    victims = [cloud.make_user("member") for _ in range(2)]
    headers = {"X-Auth-Token": admin["token"]}
    role_ids = [r["id"] for r in ok(cloud.identity.get("/v3/roles", headers=headers),
                                    200)["roles"]]
    victim_role = ok(cloud.identity.post("/v3/roles", headers=headers, json={
        "role": {"name": "fuzz-victim"}}), 201)["role"]["id"]
    keep_users = [admin["body"]["user"]["id"], member["user_id"], reader["user_id"],
                  other["user_id"]]
    keep_projects = [cloud.admin_project_id, member["project_id"], other["project_id"]]
    pools = fuzz.Pools(
        ids={"user": [*keep_users, *(v["user_id"] for v in victims)],
             "project": [*keep_projects, *(v["project_id"] for v in victims)],
             "role": [*role_ids, victim_role], "domain": ["default"],
             "quota_class": ["default"], "network": ["none", "public", "private"]},
        keep={*keep_users, *keep_projects, *role_ids},
        tokens={"admin": admin["token"], "member": member["headers"]["X-Auth-Token"],
                "reader": reader["headers"]["X-Auth-Token"],
                "other": other["headers"]["X-Auth-Token"], "none": None,
                "garbage": "gAAAAAB" + "x" * 180, "revoked": revoked_token(cloud)},
        subjects={f"victim{i}": cloud.token(v["user_name"], "pw-" + v["user_name"],
                                            v["project_name"])["token"]
                  for i, v in enumerate(victims)})
    return pools


def revoked_token(cloud: Cloud) -> str:
    token = cloud.token()["token"]
    ok(cloud.identity.delete("/v3/auth/tokens", headers={**cloud.headers(),
                                                         "X-Subject-Token": token}), 204)
    return token


def add_images(cloud: Cloud, pools: fuzz.Pools) -> dict[str, Any]:
    headers = {"X-Auth-Token": pools.tokens["admin"] or ""}
    keeper = cloud.create_image(headers, name="fuzz-keeper")
    victim = cloud.create_image(headers, name="fuzz-victim")
    queued = ok(cloud.image.post("/v2/images", headers=headers, json={
        "name": "fuzz-queued", "disk_format": "raw", "container_format": "bare"}), 201)
    pools.ids["image"] = [keeper["id"], victim["id"], queued["id"]]
    pools.keep.add(keeper["id"])
    return keeper


def add_compute(cloud: Cloud, pools: fuzz.Pools, image_id: str) -> None:
    headers = {"X-Auth-Token": pools.tokens["admin"] or ""}
    # The server named SLOW_NAME stays out of the pools: no request renames it.
    servers = [cloud.boot(headers, image_id, name=n) for n in ("fuzz-keeper", "fuzz-victim",
                                                              SLOW_NAME)]
    for server in servers:
        cloud.wait_for_server(headers, server["id"])
    servers = servers[:2]
    keeper = servers[0]["id"]
    compute = TestClient(cloud.compute.app)
    at = {"2.1": {**headers, "OpenStack-API-Version": "compute 2.1"},
          "2.53": {**headers, "OpenStack-API-Version": "compute 2.53"}}
    ok(compute.post(f"/v2.1/servers/{keeper}/metadata", headers=at["2.1"],
                    json={"metadata": {"fuzz-key": "v"}}), 200)
    pools.ids.update(
        server=[s["id"] for s in servers], meta_key=["fuzz-key"],
        request=[a["request_id"] for a in ok(compute.get(
            f"/v2.1/servers/{keeper}/os-instance-actions", headers=at["2.1"]),
            200)["instanceActions"]],
        flavor=["1", *make_flavors(compute, at["2.1"])],
        keypair=[ok(compute.post("/v2.1/os-keypairs", headers=at["2.1"], json={
            "keypair": {"name": n}}), 200, 201)["keypair"]["name"]
            for n in ("fuzz-kp", "fuzz-kp-victim")],
        aggregate=[str(ok(compute.post("/v2.1/os-aggregates", headers=at["2.1"], json={
            "aggregate": {"name": n}}), 200)["aggregate"]["id"])
            for n in ("fuzz-agg", "fuzz-agg-victim")],
        server_group=[ok(compute.post("/v2.1/os-server-groups", headers=at["2.1"], json={
            "server_group": {"name": n, "policies": ["anti-affinity"]}}),
            200)["server_group"]["id"] for n in ("fuzz-group", "fuzz-group-victim")])
    add_hosts(compute, at, pools)
    pools.keep.update({keeper, "1", "fuzz-kp", pools.ids["aggregate"][0],
                       pools.ids["server_group"][0]})


def make_flavors(compute: TestClient, headers: dict[str, str]) -> list[str]:
    made = []
    for flavor_id, public in (("fuzz-private", False), ("fuzz-victim", True)):
        made.append(ok(compute.post("/v2.1/flavors", headers=headers, json={"flavor": {
            "name": flavor_id, "id": flavor_id, "ram": 64, "vcpus": 1, "disk": 1,
            "os-flavor-access:is_public": public}}), 200)["flavor"]["id"])
    return made


def add_hosts(compute: TestClient, at: dict[str, dict[str, str]], pools: fuzz.Pools) -> None:
    """Services and hypervisors by id (2.1) and uuid (2.53), their hosts, and the
    pre-2.53 service actions that stand in the path."""
    services = [s for v in at for s in ok(compute.get("/v2.1/os-services", headers=at[v]),
                                          200)["services"]]
    hypervisors = [h for v in at for h in ok(compute.get(
        "/v2.1/os-hypervisors", headers=at[v]), 200)["hypervisors"]]
    pools.ids["service"] = [*dict.fromkeys(str(s["id"]) for s in services),
                            "enable", "disable", "disable-log-reason", "force-down"]
    pools.ids["hypervisor"] = [*dict.fromkeys(str(h["id"]) for h in hypervisors)]
    pools.ids["host"] = [*dict.fromkeys([*(s["host"] for s in services),
                                         *(h["hypervisor_hostname"] for h in hypervisors)])]
    pools.keep.update(str(s["id"]) for s in services if s["binary"] == "nova-compute")


# --- the runs --------------------------------------------------------------------------------

def fuzz_api(cloud: Cloud, api: str, pools: fuzz.Pools, book: fuzz.SchemaBook,
             seed: int) -> fuzz.Runner:
    app = getattr(cloud, api).app
    client = TestClient(app, raise_server_exceptions=False)
    runner = fuzz.Runner(api, client, fuzz.routes(app, api), pools, book, seed)
    runner.examples = examples(pools)
    deadline = time.monotonic() + SECONDS
    with runner.last_error.installed():
        runner.learn(actions(), probe_versions(), ACTION_VERSIONS)
        runner.query_pass()
        runner.path_pass()
        runner.schema_pass(SCHEMA_CAP)
        runner.random_phase(random_share(api), deadline)
    return runner


def examples(pools: fuzz.Pools) -> dict[tuple[str, str], list[tuple[Any, str | None]]]:
    """Valid bodies the schema pass also mutates node by node: requests that get past
    authentication and lookups, so the mutation reaches the code behind them."""
    password = {"user": {"name": "admin", "domain": {"id": "default"},
                         "password": ADMIN_PASSWORD}}
    scope = {"project": {"name": "admin", "domain": {"id": "default"}}}
    image = pools.ids.get("image", ["x"])[0]
    return {
        ("POST", "/v3/auth/tokens"): [({"auth": {"identity": {
            "methods": ["password"], "password": password}, "scope": scope}}, None)],
        ("POST", "/v2.1/servers"): [({"server": {
            "name": "fuzz", "imageRef": image, "flavorRef": "1", "networks": "none",
            "block_device_mapping_v2": [{"boot_index": 0, "uuid": image,
                                         "source_type": "image",
                                         "destination_type": "local"}]}}, "2.47")],
        ("POST", "/v2.1/flavors"): [({"flavor": {
            "name": "fuzz-f", "ram": 64, "vcpus": 1, "disk": 1, "rxtx_factor": 1.0}}, "2.1")],
    }


def actions() -> list[str]:
    from compute_api.server_actions import ACTIONS
    return [*ACTIONS, *EXTRA_ACTIONS]


def check(runner: fuzz.Runner, api: str) -> None:
    summary = runner.stats.summary(api)
    print(summary)
    if runner.findings.first:
        pytest.fail(summary + "\n" + runner.findings.report(), pytrace=False)


def test_fuzz_compute(cloud: Cloud, book: fuzz.SchemaBook) -> None:
    pools = identity_pools(cloud)
    keeper = add_images(cloud, pools)
    add_compute(cloud, pools, keeper["id"])
    check(fuzz_api(cloud, "compute", pools, book, SEED), "compute")


def test_fuzz_identity(cloud: Cloud, book: fuzz.SchemaBook) -> None:
    pools = identity_pools(cloud)
    check(fuzz_api(cloud, "identity", pools, book, SEED + 1), "identity")


def test_fuzz_image(cloud: Cloud, book: fuzz.SchemaBook) -> None:
    pools = identity_pools(cloud)
    add_images(cloud, pools)
    check(fuzz_api(cloud, "image", pools, book, SEED + 2), "image")
