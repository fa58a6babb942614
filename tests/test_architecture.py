"""Rules of the code base that must keep holding."""
from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DB_OWNERS = {"conductor", "migrations"}
DB_MODULES = ("conductor.db", "sqlalchemy", "alembic")
PACKAGES = ["stratus", "compute_api", "scheduler", "conductor", "compute_agent",
            "network_agent", "metadata_api", "consoleauth", "identity_api", "image_api",
            "migrations"]


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _python_files(package: str) -> list[pathlib.Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_only_the_conductor_imports_the_database_layer() -> None:
    offenders = []
    for package in PACKAGES:
        if package in DB_OWNERS:
            continue
        for path in _python_files(package):
            bad = [m for m in _imports(path) if m.startswith(DB_MODULES)]
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}: {', '.join(sorted(bad))}")
    assert offenders == [], "Only conductor/ may import the database layer:\n" + \
        "\n".join(offenders)


def test_the_rule_catches_a_database_import(tmp_path: pathlib.Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from conductor.db import api\nimport sqlalchemy as sa\n")
    assert {m for m in _imports(sample) if m.startswith(DB_MODULES)} >= {
        "conductor.db", "sqlalchemy"}


def _rpc_apis() -> list[tuple[type, list[object]]]:
    from compute_agent.manager import ComputeManager
    from compute_agent.rpcapi import ComputeAPI
    from conductor.manager import endpoints
    from conductor.rpcapi import ConductorAPI, ConductorSchedulingAPI
    from scheduler.manager import SchedulerManager
    from scheduler.rpcapi import SchedulerAPI
    return [(ConductorAPI, list(endpoints())), (ConductorSchedulingAPI, list(endpoints())),
            (SchedulerAPI, [SchedulerManager]),
            (ComputeAPI, [ComputeManager])]


@pytest.mark.parametrize("api,endpoints", _rpc_apis(), ids=lambda v: getattr(v, "TOPIC", ""))
def test_every_rpc_method_has_an_endpoint(api: type, endpoints: list[object]) -> None:
    from stratus.config import parse_args
    parse_args([], default_config_files=[])
    missing = [m for m in api.METHODS if not any(hasattr(e, m) for e in endpoints)]
    assert missing == []
    for endpoint in endpoints:
        assert endpoint.target.version == api.VERSION


def test_sample_config_is_current(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "stratus.conf.sample"
    subprocess.run([str(pathlib.Path(sys.executable).parent / "oslo-config-generator"),
                    "--config-file", "etc/stratus/stratus-config-generator.conf",
                    "--output-file", str(out)], cwd=ROOT, check=True, capture_output=True)
    committed = (ROOT / "etc/stratus/stratus.conf.sample").read_text()
    assert out.read_text() == committed, "run `make sample-config` and commit the result"
