"""A distributed deployment for tests: one process per service from its console script,
on RabbitMQ (a scratch vhost) and MariaDB or PostgreSQL (a scratch database), with a
config file like an operator's. Processes can be killed, stopped and started again."""
from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time
from typing import Any

import httpx

from tests.functional.embedded import StockClients, free_port

BIN = pathlib.Path(sys.executable).parent
ADMIN_PASSWORD = "distributed-admin"
METADATA_SECRET = "distributed-metadata-secret"

CONFIG = """[DEFAULT]
state_path = {state}
transport_url = {transport}
report_interval = 1
service_down_time = {down_time}
rpc_call_timeout = {rpc_timeout}
metadata_listen_port = {metadata_port}
metadata_proxy_shared_secret = {metadata_secret}
{extra_default}
[database]
connection = {database}

[identity]
port = {identity_port}
public_endpoint = http://127.0.0.1:{identity_port}
token_secret = distributed-test-secret

[image]
port = {image_port}
public_endpoint = http://127.0.0.1:{image_port}

[compute_api]
port = {compute_port}
public_endpoint = http://127.0.0.1:{compute_port}

[scheduler]
host_state_ttl = 2

[compute]
virt_driver = fake
{extra}
"""


class Deployment(StockClients):
    """Services by name: identity, image, api, metadata, api-N, conductor-N, scheduler-N,
    compute-N, network-N.
    Extra API replicas listen on ports of their own (`api_urls`)."""

    def __init__(self, state: pathlib.Path, database: str, transport: str,
                 computes: int = 2, conductors: int = 1, schedulers: int = 1, apis: int = 1,
                 down_time: int = 5, rpc_timeout: float = 10, extra: str = "",
                 extra_default: str = "") -> None:
        self.state = state
        self.ports = {"identity": free_port(), "image": free_port(), "api": free_port(),
                      "metadata": free_port()}
        self.config = state / "stratus.conf"
        state.mkdir(parents=True, exist_ok=True)
        self.config.write_text(CONFIG.format(
            state=state, transport=transport, database=database, down_time=down_time,
            rpc_timeout=rpc_timeout, identity_port=self.ports["identity"],
            image_port=self.ports["image"], compute_port=self.ports["api"], extra=extra,
            metadata_port=self.ports["metadata"], metadata_secret=METADATA_SECRET,
            extra_default=extra_default))
        self.programs: dict[str, tuple[str, str]] = {
            "identity": ("stratus-identity", "api-node"),
            "image": ("stratus-image", "api-node"),
            "api": ("stratus-api", "api-node"),
            "metadata": ("stratus-metadata", "api-node")}
        self.api_urls = [f"http://127.0.0.1:{self.ports['api']}"]
        self.env: dict[str, dict[str, str]] = {}
        for i in range(2, apis + 1):
            port = free_port()
            self.programs[f"api-{i}"] = ("stratus-api", "api-node")
            self.env[f"api-{i}"] = {"OS_COMPUTE_API__PORT": str(port)}
            self.api_urls.append(f"http://127.0.0.1:{port}")
        for i in range(1, conductors + 1):
            self.programs[f"conductor-{i}"] = ("stratus-conductor", f"conductor{i}")
        for i in range(1, schedulers + 1):
            self.programs[f"scheduler-{i}"] = ("stratus-scheduler", f"scheduler{i}")
        for i in range(1, computes + 1):
            self.programs[f"compute-{i}"] = ("stratus-compute", f"compute{i}")
            self.programs[f"network-{i}"] = ("stratus-network", f"compute{i}")
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.compute_url = f"http://127.0.0.1:{self.ports['api']}"
        self.identity_url = f"http://127.0.0.1:{self.ports['identity']}"
        self.image_url = f"http://127.0.0.1:{self.ports['image']}"
        self.metadata_url = f"http://127.0.0.1:{self.ports['metadata']}"
        self.clouds_yaml = state / "clouds.yaml"
        self.http = httpx.Client(timeout=30)

    # --- processes ---------------------------------------------------------------

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "stratus"), "--config-file", str(self.config), *args],
                              check=True, capture_output=True, text=True, timeout=120,
                              cwd=self.state)

    def start(self) -> "Deployment":
        self.cli("db", "sync")
        self.cli("bootstrap", "--password", ADMIN_PASSWORD,
                 "--clouds-yaml", str(self.clouds_yaml))
        for name in self.programs:
            self.start_service(name)
        self.wait_ready()
        return self

    def start_service(self, name: str) -> None:
        program, host = self.programs[name]
        log = open(self.state / f"{name}.log", "ab")
        env = {**os.environ, "OS_DEFAULT__HOST": host, **self.env.get(name, {})}
        self.processes[name] = subprocess.Popen(
            [str(BIN / program), "--config-file", str(self.config)], env=env,
            stdout=log, stderr=subprocess.STDOUT, cwd=self.state)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        process.send_signal(sig)
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        self.http.close()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}"
                         for p in sorted(self.state.glob("*.log")))

    # --- readiness and requests ------------------------------------------------

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}\n"
                                       + self.logs())
            try:
                computes = {h for n, (p, h) in self.programs.items()
                            if p == "stratus-compute" and n in self.processes}
                services = self.get("/v2.1/os-services").json()["services"]
                up = {s["host"] for s in services
                      if s["binary"] == "nova-compute" and s["state"] == "up"}
                if computes <= up and all(self.http.get(u + "/").status_code == 200
                                          for u in [*self.api_urls[1:], self.metadata_url]):
                    return
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the deployment did not come up\n" + self.logs())
            time.sleep(0.25)

    def token(self) -> str:
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
        resp = self.http.post(f"{self.identity_url}/v3/auth/tokens", json=body)
        resp.raise_for_status()
        return resp.headers["X-Subject-Token"]

    def headers(self) -> dict[str, str]:
        if not hasattr(self, "_token"):
            self._token = self.token()
        return {"X-Auth-Token": self._token, "OpenStack-API-Version": "compute 2.64"}

    def project_id(self) -> str:
        resp = self.http.get(f"{self.identity_url}/v3/auth/tokens", headers={
            "X-Auth-Token": self.headers()["X-Auth-Token"],
            "X-Subject-Token": self.headers()["X-Auth-Token"]})
        return resp.json()["token"]["project"]["id"]

    def new_member(self, name: str) -> dict[str, str]:
        """Headers of a member of a new project `name` (default quotas)."""
        admin, url = {"X-Auth-Token": self.headers()["X-Auth-Token"]}, self.identity_url
        project = self.http.post(f"{url}/v3/projects", headers=admin, json={
            "project": {"name": name, "domain_id": "default"}}).json()["project"]
        user = self.http.post(f"{url}/v3/users", headers=admin, json={"user": {
            "name": name, "password": name, "domain_id": "default"}}).json()["user"]
        role = self.http.get(f"{url}/v3/roles?name=member", headers=admin).json()["roles"][0]
        self.http.put(f"{url}/v3/projects/{project['id']}/users/{user['id']}/roles/"
                      f"{role['id']}", headers=admin).raise_for_status()
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": name, "domain": {"id": "default"}, "password": name}}},
            "scope": {"project": {"name": name, "domain": {"id": "default"}}}}}
        resp = self.http.post(f"{url}/v3/auth/tokens", json=body)
        resp.raise_for_status()
        return {"X-Auth-Token": resp.headers["X-Subject-Token"],
                "OpenStack-API-Version": "compute 2.64"}

    def set_quota(self, **limits: int) -> None:
        resp = self.http.put(f"{self.compute_url}/v2.1/os-quota-sets/{self.project_id()}",
                             headers=self.headers(), json={"quota_set": limits})
        resp.raise_for_status()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(self.compute_url + path, headers=self.headers(), **kwargs)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None,
             url: str | None = None) -> httpx.Response:
        return self.http.post((url or self.compute_url) + path,
                              headers=headers or self.headers(), json=body)

    def delete(self, path: str) -> httpx.Response:
        return self.http.delete(self.compute_url + path, headers=self.headers())

    def create_image(self) -> str:
        headers = {"X-Auth-Token": self.headers()["X-Auth-Token"]}
        image = self.http.post(f"{self.image_url}/v2/images", headers=headers, json={
            "name": "img", "disk_format": "raw", "container_format": "bare",
            "visibility": "public"}).json()
        self.http.put(f"{self.image_url}/v2/images/{image['id']}/file", content=b"\0" * 1024,
                      headers={**headers, "Content-Type": "application/octet-stream"})
        return image["id"]

    def boot(self, image: str, name: str = "vm", headers: dict[str, str] | None = None,
             url: str | None = None, **server: Any) -> httpx.Response:
        return self.post("/v2.1/servers", {"server": {
            "name": name, "imageRef": image, "flavorRef": "1", "networks": "none",
            **server}}, headers, url)

    def servers(self) -> list[dict[str, Any]]:
        return self.get("/v2.1/servers/detail").json()["servers"]

    def wait_servers(self, ids: list[str], timeout: float,
                     until: tuple[str, ...] = ("ACTIVE", "ERROR")) -> list[dict[str, Any]]:
        """The servers once every one is in `until` (AssertionError at the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                found = {s["id"]: s for s in self.servers()}
            except (httpx.HTTPError, KeyError, ValueError):
                found = {}
            if found and all(found.get(i, {}).get("status") in until for i in ids):
                return [found[i] for i in ids]
            if time.monotonic() > deadline:
                states = {i: found.get(i, {}).get("status") for i in ids}
                raise AssertionError(f"servers not settled: {states}\n{self.logs()}")
            time.sleep(0.25)
