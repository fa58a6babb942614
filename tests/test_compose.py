"""docker-compose.yml describes the multi-node layout; `docker-compose config` (Debian's
docker-compose; no Docker engine runs here) accepts it, and its config file is one our
services read."""
from __future__ import annotations

import os
import pathlib
import subprocess
import tomllib
from typing import Any

import pytest
import yaml
from oslo_config import cfg

from stratus import config

REPO = pathlib.Path(__file__).resolve().parent.parent
STRATUS = {"identity": "stratus-identity", "image": "stratus-image", "api": "stratus-api",
           "conductor-1": "stratus-conductor", "conductor-2": "stratus-conductor",
           "scheduler-1": "stratus-scheduler", "scheduler-2": "stratus-scheduler",
           "compute1": "stratus-compute", "compute2": "stratus-compute"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    binary = "/usr/bin/docker-compose"
    if not os.path.exists(binary):
        pytest.skip("docker-compose is not installed; install Debian's docker-compose "
                    "(make host-packages)")
    result = subprocess.run([binary, "-f", str(REPO / "docker-compose.yml"), "config"],
                            capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_every_service_is_there(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"rabbitmq", "mariadb", "memcached", "db-sync",
                                        *STRATUS}


@pytest.mark.parametrize("name,program", sorted(STRATUS.items()))
def test_stratus_services_run_their_console_script(compose: dict[str, Any], name: str,
                                                   program: str) -> None:
    service = compose["services"][name]
    assert service["image"] == "stratus:latest" and service["build"]["context"]
    assert service["command"] == [program, "--config-file", "/etc/stratus/stratus.conf"]
    mounts = [v if isinstance(v, str) else f"{v['source']}:{v['target']}"
              for v in service["volumes"]]
    assert any(m.endswith("/etc/stratus/stratus-compose.conf:/etc/stratus/stratus.conf:ro")
               or "stratus-compose.conf:/etc/stratus/stratus.conf" in m for m in mounts)
    assert service["depends_on"]["db-sync"]["condition"] == "service_completed_successfully"
    assert service["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    assert service["depends_on"]["mariadb"]["condition"] == "service_healthy"
    assert service["environment"]["OS_DEFAULT__HOST"] == name
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert program in scripts


def test_database_is_synced_before_the_services(compose: dict[str, Any]) -> None:
    command = " ".join(compose["services"]["db-sync"]["command"])
    assert "db sync" in command and "bootstrap" in command
    assert compose["services"]["rabbitmq"]["healthcheck"]["test"]
    assert compose["services"]["mariadb"]["healthcheck"]["test"]


def test_the_mounted_config_is_one_our_services_read() -> None:
    conf = cfg.ConfigOpts()
    config._register(conf)
    config.parse_args(["--config-file", str(REPO / "etc/stratus/stratus-compose.conf")],
                      conf=conf, default_config_files=[])
    assert conf.transport_url.startswith("rabbit://") and "@rabbitmq:5672" in conf.transport_url
    assert conf.database.connection.startswith("mysql+pymysql://")
    assert "@mariadb:3306/" in conf.database.connection
    assert conf.servicegroup_driver == "mc" and conf.memcache.servers == ["memcached:11211"]
    assert conf.identity.token_secret and conf.compute.virt_driver == "fake"
    assert conf.compute_api.listen == "0.0.0.0"
