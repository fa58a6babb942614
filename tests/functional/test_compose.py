"""The distributed layout of docker-compose.yml, checked without a Docker engine.

`docker-compose config` (Debian's docker-compose v1) validates the file and prints it
resolved (anchors merged, variables substituted, paths absolute); the tests read that
output, then load the configuration file it mounts with our own config loader, once per
container with that container's environment, as the services would.
"""
from __future__ import annotations

import os
import pathlib
import re
import subprocess
import tomllib
import urllib.parse
import warnings
from typing import Any

import pytest
import yaml
from oslo_config import cfg

from stratus import config

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCKER_COMPOSE = "/usr/bin/docker-compose"
IMAGE = "stratus:latest"
CONF_PATH = "/etc/stratus/stratus.conf"
INFRA = {"rabbitmq", "mariadb", "memcached"}
# Long-running Stratus services and the console script each one runs.
DAEMONS = {"identity": "stratus-identity", "image": "stratus-image", "api": "stratus-api",
           "conductor-1": "stratus-conductor", "conductor-2": "stratus-conductor",
           "scheduler-1": "stratus-scheduler", "scheduler-2": "stratus-scheduler",
           "compute1": "stratus-compute", "compute2": "stratus-compute",
           "network1": "stratus-network", "network2": "stratus-network",
           "metadata": "stratus-metadata"}
NETWORK_AGENTS = {"network1": "compute1", "network2": "compute2"}
APIS = {"stratus-identity": "identity", "stratus-image": "image", "stratus-api": "compute_api"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    if not os.path.exists(DOCKER_COMPOSE):
        reason = (f"{DOCKER_COMPOSE} is missing, so docker-compose.yml is NOT checked: "
                  "install Debian's docker-compose with `make host-packages`")
        warnings.warn(reason, stacklevel=1)
        pytest.skip(reason)
    # Variables the file reads (STRATUS_*) or compose itself reads (COMPOSE_*) must not
    # leak in from the caller's shell: the defaults are what is checked.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRATUS_", "COMPOSE_", "OS_", "DOCKER_"))}
    result = subprocess.run([DOCKER_COMPOSE, "-f", "docker-compose.yml", "config"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    resolved = yaml.safe_load(result.stdout)
    assert isinstance(resolved, dict) and resolved.get("services")
    return resolved


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _stratus(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every service running our image: the daemons and db-sync."""
    return {n: s for n, s in _services(compose).items() if s.get("image") == IMAGE}


def _config_mounts(service: dict[str, Any]) -> list[str]:
    sources = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, _, rest = volume.partition(":")
            target = rest.split(":")[0]
        else:
            source, target = volume["source"], volume["target"]
        if target == CONF_PATH:
            sources.append(source)
    return sources


def _port(spec: str | dict[str, Any]) -> tuple[str, int, int]:
    """(host address, published port, container port) of a resolved `ports` entry: compose
    prints the long form, or the short one ("127.0.0.1:8774:8774/tcp") when an address is
    given."""
    if isinstance(spec, dict):
        return (spec.get("host_ip", ""), int(spec["published"]), int(spec["target"]))
    parts = spec.split("/")[0].split(":")
    address = parts[0] if len(parts) == 3 else ""
    return (address, int(parts[-2]), int(parts[-1]))


def _scripts() -> dict[str, str]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]


def _load(path: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> cfg.ConfigOpts:
    """The configuration a container sees: the file plus its OS_<GROUP>__<OPT> variables."""
    for name in list(os.environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    conf = cfg.ConfigOpts()
    config._register(conf)
    config.parse_args(["--config-file", path], conf=conf, default_config_files=[])
    return conf


def test_the_layout_has_exactly_these_services(compose: dict[str, Any]) -> None:
    # The metadata API and the network agent do not exist yet: no service for them.
    assert set(_services(compose)) == INFRA | {"db-sync"} | set(DAEMONS)
    assert set(_stratus(compose)) == {"db-sync"} | set(DAEMONS)


@pytest.mark.parametrize("name,script", sorted(DAEMONS.items()))
def test_each_service_runs_its_console_script_from_the_built_image(
        compose: dict[str, Any], name: str, script: str) -> None:
    service = _services(compose)[name]
    assert service["image"] == IMAGE
    assert pathlib.Path(service["build"]["context"]).resolve() == REPO
    assert service["command"] == [script, "--config-file", CONF_PATH]
    assert script in _scripts()
    assert _config_mounts(service) == [str(REPO / "etc/stratus/stratus-compose.conf")]
    conditions = {dep: spec["condition"] for dep, spec in service["depends_on"].items()}
    assert conditions["rabbitmq"] == "service_healthy"
    assert conditions["mariadb"] == "service_healthy"
    assert conditions["db-sync"] == "service_completed_successfully"
    assert service["restart"] == "unless-stopped"


def test_db_sync_migrates_then_bootstraps_once(compose: dict[str, Any]) -> None:
    service = _services(compose)["db-sync"]
    script = " ".join(service["command"])
    sync = script.index(f"stratus --config-file {CONF_PATH} db sync")
    bootstrap = script.index(f"stratus --config-file {CONF_PATH} bootstrap")
    assert sync < bootstrap and "&&" in script[sync:bootstrap]
    assert service["restart"] == "no"
    assert service["depends_on"]["mariadb"]["condition"] == "service_healthy"
    assert "db-sync" not in service["depends_on"]
    assert _config_mounts(service) == [str(REPO / "etc/stratus/stratus-compose.conf")]
    assert service["environment"]["STRATUS_ADMIN_PASSWORD"]


def test_every_console_script_named_exists(compose: dict[str, Any]) -> None:
    named = set()
    for service in _stratus(compose).values():
        named |= set(re.findall(r"(?<![\w/-])(stratus(?:-[a-z]+)?)(?![\w.-])",
                                " ".join(service["command"])))
    assert named == {"stratus", *DAEMONS.values()}
    assert named <= set(_scripts()), named - set(_scripts())


def test_conductors_and_schedulers_are_replicated_under_their_own_hosts(
        compose: dict[str, Any]) -> None:
    hosts: dict[str, list[str]] = {}
    for service in _stratus(compose).values():
        if service["command"][0] in DAEMONS.values():
            hosts.setdefault(service["command"][0], []).append(
                service["environment"]["OS_DEFAULT__HOST"])
    assert len(hosts["stratus-conductor"]) >= 2 and len(hosts["stratus-scheduler"]) >= 2
    every = [h for binary, names in hosts.items() for h in names
             if binary != "stratus-network"]
    assert len(every) == len(set(every)), "two Stratus containers share a host name"


def test_two_compute_agents_with_their_own_hosts_on_the_fake_driver(
        compose: dict[str, Any]) -> None:
    agents = {n: s for n, s in _stratus(compose).items()
              if s["command"][0] == "stratus-compute"}
    assert set(agents) == {"compute1", "compute2"}
    assert {s["environment"]["OS_DEFAULT__HOST"] for s in agents.values()} == \
        {"compute1", "compute2"}
    assert {s["environment"]["OS_COMPUTE__VIRT_DRIVER"] for s in agents.values()} == {"fake"}


def test_rabbitmq_and_mariadb_have_healthchecks(compose: dict[str, Any]) -> None:
    for name in ("rabbitmq", "mariadb"):
        test = _services(compose)[name]["healthcheck"]["test"]
        assert test[0] == "CMD" and len(test) > 1, name


def test_every_container_reads_a_working_configuration(
        compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    services = _services(compose)
    sources = {src for s in _stratus(compose).values() for src in _config_mounts(s)}
    assert len(sources) == 1
    path = pathlib.Path(sources.pop())
    assert path.is_file() and path.is_relative_to(REPO)

    rabbit = services["rabbitmq"]["environment"]
    maria = services["mariadb"]["environment"]
    secrets = set()
    for name, service in _stratus(compose).items():
        conf = _load(str(path), service.get("environment") or {}, monkeypatch)
        transport = urllib.parse.urlsplit(conf.transport_url)
        assert transport.scheme == "rabbit" and transport.hostname == "rabbitmq"
        assert (transport.username, transport.password) == \
            (rabbit["RABBITMQ_DEFAULT_USER"], rabbit["RABBITMQ_DEFAULT_PASS"])
        database = urllib.parse.urlsplit(conf.database.connection)
        assert database.scheme == "mysql+pymysql" and database.hostname == "mariadb"
        assert (database.username, database.password, database.path.lstrip("/")) == \
            (maria["MARIADB_USER"], maria["MARIADB_PASSWORD"], maria["MARIADB_DATABASE"])
        assert conf.servicegroup_driver == "mc"
        assert [s.split(":")[0] for s in conf.memcache.servers] == ["memcached"]
        assert conf.state_path == "/var/lib/stratus"
        secrets.add(conf.identity.token_secret)
        if name in NETWORK_AGENTS:
            # A network agent is its compute host's, in that container's namespace.
            compute = NETWORK_AGENTS[name]
            assert conf.host == compute
            assert service["network_mode"] == f"service:{compute}"
        elif name in DAEMONS:
            assert conf.host == name
        if service["command"][0] == "stratus-compute":
            assert conf.compute.virt_driver == "fake"
            # The agents fetch images from inside the compose network.
            inner = urllib.parse.urlsplit(conf.image.public_endpoint)
            assert services[inner.hostname]["command"][0] == "stratus-image"
            assert inner.port == conf.image.port
    assert len(secrets) == 1 and secrets.pop(), "every container must share token_secret"


@pytest.mark.parametrize("script,group", sorted(APIS.items()))
def test_public_endpoints_are_the_ports_published_on_the_host(
        compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch, script: str,
        group: str) -> None:
    (service,) = [s for s in _stratus(compose).values() if s["command"][0] == script]
    (path,) = _config_mounts(service)
    opts = getattr(_load(path, service.get("environment") or {}, monkeypatch), group)
    assert opts.listen == "0.0.0.0"
    ports = [_port(p) for p in service["ports"]]
    published = {target: port for _, port, target in ports}
    assert opts.port in published
    assert {ip for ip, _, _ in ports} == {"127.0.0.1"}, "publish on the host's loopback only"
    endpoint = urllib.parse.urlsplit(opts.public_endpoint)
    assert endpoint.hostname in ("127.0.0.1", "localhost")
    assert endpoint.port == published[opts.port]


def test_the_image_installs_without_libvirt_by_default(compose: dict[str, Any]) -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", dockerfile, re.M)
    assert re.search(r"^ARG WITH_LIBVIRT=0$", dockerfile, re.M)
    assert "'.[libvirt]'" in dockerfile
    for service in _stratus(compose).values():
        assert service["build"]["args"]["WITH_LIBVIRT"] == "0"
    ignored = (REPO / ".dockerignore").read_text().split()
    for needed in ("pyproject.toml", "stratus", "migrations", "conductor", "compute_agent"):
        assert needed not in ignored
