"""Fixtures: an embedded cloud per test, with HTTP clients for its APIs."""
from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from stratus import policy, rpc, servicegroup, tokens
from stratus.api.revocations import revocations
from stratus.config import CONF, parse_args
from stratus.service import stop_all

ADMIN_PASSWORD = "admin-secret"

parse_args([], default_config_files=[])


@dataclasses.dataclass
class Cloud:
    identity: TestClient
    image: TestClient
    compute: TestClient
    services: list[Any]
    admin_project_id: str

    def token(self, user: str = "admin", password: str = ADMIN_PASSWORD,
              project: str | None = "admin") -> dict[str, Any]:
        """Issue a token; returns {"token": id, "body": token body}."""
        auth_body: dict[str, Any] = {"identity": {"methods": ["password"], "password": {
            "user": {"name": user, "domain": {"id": "default"}, "password": password}}}}
        if project:
            auth_body["scope"] = {"project": {"name": project, "domain": {"id": "default"}}}
        resp = self.identity.post("/v3/auth/tokens", json={"auth": auth_body})
        assert resp.status_code == 201, resp.text
        return {"token": resp.headers["X-Subject-Token"], "body": resp.json()["token"]}

    def headers(self, user: str = "admin", password: str = ADMIN_PASSWORD,
                project: str | None = "admin") -> dict[str, str]:
        return {"X-Auth-Token": self.token(user, password, project)["token"]}

    def make_user(self, role: str = "member", project: str | None = None) -> dict[str, Any]:
        """A new user with `role` on a project (a new one unless named);
        returns ids, names and request headers."""
        from conductor import rpcapi as conductor_rpcapi
        from stratus.context import get_admin_context
        api, ctx = conductor_rpcapi.client(), get_admin_context()
        project_name = project or "project-" + uuid.uuid4().hex[:8]
        found = api.identity_list(ctx, kind="project", filters={"name": project_name})
        proj = found[0] if found else api.identity_create(ctx, kind="project",
                                                           values={"name": project_name})
        name = "user-" + uuid.uuid4().hex[:8]
        user = api.identity_create(ctx, kind="user",
                                   values={"name": name, "password": "pw-" + name})
        role_row = api.identity_list(ctx, kind="role", filters={"name": role})[0]
        api.role_assignment_add(ctx, user_id=user["id"], project_id=proj["id"],
                                role_id=role_row["id"])
        return {"user_id": user["id"], "user_name": name, "project_id": proj["id"],
                "project_name": project_name,
                "headers": self.headers(name, "pw-" + name, project_name)}


    def create_image(self, headers: dict[str, str], data: bytes = b"\0" * 1024,
                     **props: Any) -> dict[str, Any]:
        """An active image uploaded through the image API."""
        body = {"name": "img-" + uuid.uuid4().hex[:6], "disk_format": "raw",
                "container_format": "bare", **props}
        resp = self.image.post("/v2/images", json=body, headers=headers)
        assert resp.status_code == 201, resp.text
        image = resp.json()
        resp = self.image.put(f"/v2/images/{image['id']}/file", content=data,
                              headers={**headers, "Content-Type": "application/octet-stream"})
        assert resp.status_code == 204, resp.text
        return self.image.get(f"/v2/images/{image['id']}", headers=headers).json()

    def boot(self, headers: dict[str, str], image_id: str, flavor: str = "1",
             version: str = "2.47", **server: Any) -> dict[str, Any]:
        body = {"server": {"name": "vm", "imageRef": image_id, "flavorRef": flavor,
                           "networks": "none", **server}}
        resp = self.compute.post("/v2.1/servers", json=body,
                                 headers={**headers, "OpenStack-API-Version": f"compute {version}"})
        assert resp.status_code == 202, resp.text
        return resp.json()["server"]

    def active_server(self, headers: dict[str, str], **server: Any) -> str:
        """The id of a new server of `headers`' project, ACTIVE, from a new public image."""
        image = self.create_image(self.headers(), visibility="public")
        sid = str(self.boot(headers, image["id"], **server)["id"])
        assert self.wait_for_server(headers, sid)["status"] == "ACTIVE"
        return sid

    def wait_for_server(self, headers: dict[str, str], server_id: str,
                        until: tuple[str, ...] = ("ACTIVE", "ERROR"),
                        timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            resp = self.compute.get(f"/v2.1/servers/{server_id}",
                                    headers={**headers, "OpenStack-API-Version": "compute 2.47"})
            assert resp.status_code == 200, resp.text
            server = resp.json()["server"]
            if server["status"] in until:
                return server
            assert time.monotonic() < deadline, f"server stuck in {server['status']}"
            time.sleep(0.02)

    def wait_until_gone(self, headers: dict[str, str], server_id: str,
                        timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while self.compute.get(f"/v2.1/servers/{server_id}", headers=headers).status_code != 404:
            assert time.monotonic() < deadline, "server was not deleted"
            time.sleep(0.02)


OVERRIDES: list[tuple[str, str | None]] = [
    ("state_path", None), ("connection", "database"), ("transport_url", None), ("host", None),
    ("report_interval", None), ("token_secret", "identity")]


def configure(state_path: str, connection: str | None = None) -> None:
    values = [state_path, connection or f"sqlite:///{state_path}/stratus.sqlite", "inproc://",
              "testhost", 1, "test-token-secret"]
    for (name, group), value in zip(OVERRIDES, values):
        CONF.set_override(name, value, group=group)


def unconfigure() -> None:
    for name, group in OVERRIDES:
        CONF.clear_override(name, group=group)


def reset_process_state() -> None:
    from conductor.db import api as db
    from metadata_api.service import guests as metadata_guests
    db.dispose()
    metadata_guests.reset()
    rpc.cleanup()
    servicegroup.reset()
    policy.reset()
    tokens.reset_secret()
    revocations.clear()


def serve_image_api_over_http() -> Callable[[], None]:
    """Compute agents reach the image API over HTTP (downloads, snapshot uploads)."""
    from image_api.app import create_app as image_app
    from stratus import launcher
    from tests.functional.embedded import free_port
    port = free_port()
    CONF.set_override("public_endpoint", f"http://127.0.0.1:{port}", group="image")
    stop = threading.Event()
    thread = threading.Thread(target=launcher.serve_apis, daemon=True,
                              args=([("image", image_app(), "127.0.0.1", port)], stop))
    thread.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/versions", timeout=1)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "the image API did not come up"
            time.sleep(0.02)

    def stop_serving() -> None:
        stop.set()
        thread.join(timeout=10)
        CONF.clear_override("public_endpoint", group="image")
    return stop_serving


@pytest.fixture
def flat_dhcp() -> Iterator[None]:
    """[network] manager FlatDHCPManager for one test."""
    CONF.set_override("manager", "FlatDHCPManager", group="network")
    yield
    CONF.clear_override("manager", group="network")


@pytest.fixture
def cloud(tmp_path: Any, request: pytest.FixtureRequest) -> Iterator[Cloud]:
    """An embedded cloud; parametrize indirectly with {"fake_hosts": N} for N hosts and
    {"config": {group: {option: value}}} for options set before the services start."""
    from compute_api.app import create_app as compute_app
    from conductor import manage
    from identity_api.app import create_app as identity_app
    from image_api.app import create_app as image_app
    from stratus import launcher

    configure(str(tmp_path))
    options = getattr(request, "param", {})
    CONF.set_override("host_count", options.get("fake_hosts", 1), group="fake")
    overrides = [(g, k, v) for g, opts in options.get("config", {}).items()
                 for k, v in opts.items()]
    for group, key, value in overrides:
        CONF.set_override(key, value, group=group)
    reset_process_state()
    manage.create_schema()
    boot = manage.bootstrap(admin_password=ADMIN_PASSWORD)
    services = launcher.rpc_services(["conductor", "scheduler", "network_agent", "compute_agent"])
    for service in services:
        service.start()
    stop_http = serve_image_api_over_http()
    try:
        yield Cloud(identity=TestClient(identity_app()), image=TestClient(image_app()),
                    compute=TestClient(compute_app()), services=services,
                    admin_project_id=boot["project"]["id"])
    finally:
        stop_http()
        stop_all(services)
        reset_process_state()
        unconfigure()
        CONF.clear_override("host_count", group="fake")
        for group, key, _value in overrides:
            CONF.clear_override(key, group=group)
