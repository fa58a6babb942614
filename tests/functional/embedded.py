"""Start a real embedded cloud the way `make up` does, on free ports, for client tests."""
from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys
import time
from typing import Any

import httpx

BIN = pathlib.Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StockClients:
    """The real `openstack` CLI against a cloud that wrote `clouds_yaml`."""
    clouds_yaml: pathlib.Path

    def client_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({"OS_CLIENT_CONFIG_FILE": str(self.clouds_yaml), "OS_CLOUD": "stratus"})
        return env

    def openstack(self, *args: str) -> Any:
        """Run the real `openstack` CLI with -f json; returns parsed output."""
        import json
        result = subprocess.run([str(BIN / "openstack"), *args, "-f", "json"],
                                env=self.client_env(), capture_output=True, text=True,
                                timeout=180)
        if result.returncode != 0:
            raise AssertionError(f"openstack {' '.join(args)} failed:\n{result.stderr}")
        return json.loads(result.stdout) if result.stdout.strip() else None

    def openstack_plain(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "openstack"), *args], env=self.client_env(),
                              capture_output=True, text=True, timeout=180)



class EmbeddedCloud(StockClients):
    """`stratus db sync`, `stratus bootstrap --clouds-yaml`, then `stratus-all`."""

    def __init__(self, state: pathlib.Path, extra_env: dict[str, str] | None = None) -> None:
        self.state = state
        ports = {name: free_port() for name in ("IDENTITY", "IMAGE", "COMPUTE_API")}
        self.env = {**os.environ, "OS_DEFAULT__STATE_PATH": str(state),
                    **(extra_env or {})}
        for group, port in ports.items():
            self.env[f"OS_{group}__PORT"] = str(port)
            self.env[f"OS_{group}__PUBLIC_ENDPOINT"] = f"http://127.0.0.1:{port}"
        self.metadata_port = free_port()
        self.env["OS_DEFAULT__METADATA_LISTEN_PORT"] = str(self.metadata_port)
        self.identity_url = f"http://127.0.0.1:{ports['IDENTITY']}"
        self.compute_url = f"http://127.0.0.1:{ports['COMPUTE_API']}"
        self.image_url = f"http://127.0.0.1:{ports['IMAGE']}"
        self.clouds_yaml = state / "clouds.yaml"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = state / "stratus-all.log"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / args[0]), *args[1:]], env=self.env, check=True,
                              capture_output=True, text=True, timeout=120)

    def start(self) -> "EmbeddedCloud":
        self.state.mkdir(parents=True, exist_ok=True)
        self.run("stratus", "db", "sync")
        self.run("stratus", "bootstrap", "--clouds-yaml", str(self.clouds_yaml))
        log = open(self.log, "wb")
        self.process = subprocess.Popen([str(BIN / "stratus-all")], env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError("stratus-all exited:\n" + self.log.read_text())
            try:
                if all(httpx.get(u, timeout=1).status_code < 500 for u in
                       (self.identity_url + "/v3", self.compute_url + "/", self.image_url
                        + "/versions")):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("stratus-all did not come up:\n" + self.log.read_text())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
