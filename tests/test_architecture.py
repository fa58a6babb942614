"""Rules of the code base that must keep holding."""
from __future__ import annotations

import ast
import pathlib
import subprocess
import sys
import tomllib
from collections.abc import Callable
from importlib import metadata

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DB_OWNERS = {"conductor", "migrations"}
DB_MODULES = ("conductor.db", "sqlalchemy", "alembic")
PACKAGES = ["stratus", "compute_api", "scheduler", "conductor", "compute_agent",
            "network_agent", "metadata_api", "consoleauth", "identity_api", "image_api",
            "migrations"]
SERVICE_PACKAGES = {"compute_api", "identity_api", "image_api", "conductor", "scheduler",
                    "compute_agent", "network_agent", "metadata_api", "consoleauth"}
CORE = "stratus"


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


def _check(paths: list[pathlib.Path], found: Callable[[pathlib.Path], set[str]],
           rule: str) -> None:
    """Fail with every path for which `found` names something, and what it names."""
    offenders = [f"{path.relative_to(ROOT)}: {', '.join(sorted(bad))}"
                 for path in paths if (bad := found(path))]
    assert offenders == [], rule + ":\n" + "\n".join(offenders)


def _db_imports(path: pathlib.Path) -> set[str]:
    return {m for m in _imports(path) if m.startswith(DB_MODULES)}


def test_only_the_conductor_imports_the_database_layer() -> None:
    _check([p for package in PACKAGES if package not in DB_OWNERS
            for p in _python_files(package)], _db_imports,
           "Only conductor/ may import the database layer")


def test_the_rule_catches_a_database_import(tmp_path: pathlib.Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from conductor.db import api\nimport sqlalchemy as sa\n")
    assert _db_imports(sample) >= {"conductor.db", "sqlalchemy"}


def _dynamic_imports(path: pathlib.Path) -> set[str]:
    """Modules named as constants to importlib.import_module / __import__."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        arg = node.args[0]
        if name in ("import_module", "__import__") and isinstance(arg, ast.Constant) \
                and isinstance(arg.value, str):
            found.add(arg.value)
    return found


def _service_imports(path: pathlib.Path) -> set[str]:
    """Service packages `path` imports, at module level, in a function or by name."""
    return {m for m in _imports(path) | _dynamic_imports(path)
            if m.split(".")[0] in SERVICE_PACKAGES}


def test_the_core_imports_no_service_package() -> None:
    """Services plug into the core (entry points, registration); it never imports them."""
    _check(_python_files(CORE), _service_imports, "stratus/ may not import a service package")


def test_the_rule_catches_a_service_import(tmp_path: pathlib.Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import importlib\nimport stratus.config\n\n\ndef f():\n"
                      "    from conductor.rpcapi import ConductorAPI\n"
                      "    import scheduler.manager\n"
                      "    return importlib.import_module('compute_agent.manager')\n")
    assert _service_imports(sample) >= {"conductor.rpcapi", "scheduler.manager",
                                        "compute_agent.manager"}
    assert not any(m.startswith("stratus") for m in _service_imports(sample))


@pytest.mark.parametrize("group", ["stratus.services", "stratus.commands",
                                   "stratus.virt_drivers"])
def test_installed_entry_points_are_those_of_pyproject(group: str) -> None:
    """Services, commands and virt drivers plug in by entry points: the installed ones
    must be those pyproject.toml declares (else: pip install -e . again)."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "entry-points"][group]
    installed = {e.name: e.value for e in metadata.entry_points(group=group)}
    assert installed == declared, "reinstall: pip install -e '.[test,libvirt]'"


def test_every_service_plugin_loads_under_its_name() -> None:
    from stratus import plugins
    for entry in metadata.entry_points(group=plugins.SERVICES):
        assert plugins.load(entry.name).name == entry.name


def _module_name(path: pathlib.Path, root: pathlib.Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph(package: str, root: pathlib.Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of `package` it imports (by their longest known name)."""
    paths = {_module_name(p, root): p for p in sorted((root / package.replace(".", "/"))
                                                      .rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        targets = set()
        for name in _imports(path):
            parts = name.split(".")
            known = [".".join(parts[:i]) for i in range(len(parts), 0, -1)
                     if ".".join(parts[:i]) in paths]
            if known and known[0] != module:
                targets.add(known[0])
        graph[module] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle in `graph` (its modules, the first repeated at the end), or []."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str]:
        if module in path:
            return path[path.index(module):] + [module]
        if module in done:
            return []
        for target in sorted(graph.get(module, ())):
            found = visit(target, path + [module])
            if found:
                return found
        done.add(module)
        return []
    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return []


def test_no_import_cycle_between_virt_modules() -> None:
    """The driver interface imports no driver: drivers load by name (entry points)."""
    assert _cycle(_import_graph("compute_agent.virt")) == []


def test_the_rule_catches_an_import_cycle(tmp_path: pathlib.Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "base.py").write_text(
        "def load():\n    from pkg.impl import Impl\n    return Impl\n")
    (tmp_path / "pkg" / "impl.py").write_text("from pkg.base import load\n")
    assert _cycle(_import_graph("pkg", tmp_path)) == ["pkg.base", "pkg.impl", "pkg.base"]


# Every RPC method is a declared, versioned function of its contract, and every endpoint
# implements exactly its contract: tests/unit/test_rpc_contracts.py.


def _is_sql_home(path: pathlib.Path) -> bool:
    """The conductor's database layer, a domain's models, or a domain's queries."""
    parts = path.relative_to(ROOT / "conductor").parts
    return parts[0] == "db" or (len(parts) >= 2 and (
        parts[1] in ("models.py", "queries.py") or parts[1] == "queries"))


def _sql_imports(path: pathlib.Path) -> set[str]:
    return {m for m in _imports(path) if m.startswith(("sqlalchemy", "conductor.db.api"))}


def test_sql_lives_only_in_the_conductor_queries_modules() -> None:
    _check([p for p in _python_files("conductor") if not _is_sql_home(p)], _sql_imports,
           "SQL belongs in conductor/<domain>/queries")


def test_the_sql_rule_knows_its_homes() -> None:
    assert _is_sql_home(ROOT / "conductor/compute/queries/instances.py")
    assert _is_sql_home(ROOT / "conductor/identity/queries.py")
    assert _is_sql_home(ROOT / "conductor/db/api.py")
    assert _is_sql_home(ROOT / "conductor/network/queries/security_groups.py")
    assert not _is_sql_home(ROOT / "conductor/network/security_groups.py")
    assert not _is_sql_home(ROOT / "conductor/network/security_group_endpoint.py")
    assert not _is_sql_home(ROOT / "conductor/compute/instances.py")
    assert not _is_sql_home(ROOT / "conductor/manage.py")


# Packages that present data to people and must go through the public APIs.
PRESENTATION = ["dashboard"]


def _backend_imports(path: pathlib.Path) -> set[str]:
    return {m for m in _imports(path) if "rpcapi" in m.split(".")
            or m.startswith(DB_MODULES) or m.startswith(("stratus.rpc", "conductor"))}


def test_the_dashboard_reaches_no_rpc_or_database_module() -> None:
    _check([p for package in PRESENTATION for p in _python_files(package)], _backend_imports,
           "the dashboard talks to the public APIs only")


def test_the_rule_catches_a_dashboard_reaching_the_backend(tmp_path: pathlib.Path) -> None:
    sample = tmp_path / "views.py"
    sample.write_text("from conductor.rpcapi.compute import ComputeConductorAPI\n"
                      "from conductor.db import api\nimport httpx\n")
    assert _backend_imports(sample) >= {"conductor.rpcapi.compute", "conductor.db"}
    assert "httpx" not in _backend_imports(sample)


def test_sample_config_is_current(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "stratus.conf.sample"
    subprocess.run([str(pathlib.Path(sys.executable).parent / "oslo-config-generator"),
                    "--config-file", "etc/stratus/stratus-config-generator.conf",
                    "--output-file", str(out)], cwd=ROOT, check=True, capture_output=True)
    committed = (ROOT / "etc/stratus/stratus.conf.sample").read_text()
    assert out.read_text() == committed, "run `make sample-config` and commit the result"


# REST handler modules reach the RPC APIs only through their package's service layer
# (<package>/service/); the app factory (app.py) wires the process and is not a handler.
API_PACKAGES = ["compute_api", "identity_api", "image_api"]
THIN_HANDLERS = sorted(str(p.relative_to(ROOT)) for package in API_PACKAGES
                       for p in (ROOT / package).glob("*.py")
                       if p.name not in ("__init__.py", "app.py"))
RPC_CLIENTS = {"conductor", "compute", "scheduler"}
RPC_MODULES = ("stratus.rpc",) + tuple(f"{p}.service.clients" for p in API_PACKAGES)


def _rpc_uses(path: pathlib.Path) -> set[str]:
    """RPC API modules and clients `path` imports, and the clients it calls."""
    found = {m for m in _imports(path)
             if "rpcapi" in m.split(".") or m.split(".")[-1] in RPC_CLIENTS
             or m.startswith(RPC_MODULES)}
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in RPC_CLIENTS:
            found.add(f"{node.value.id}.{node.attr}")
    return found


def test_thin_handlers_reach_rpc_only_through_the_service_layer() -> None:
    assert "compute_api/servers.py" in THIN_HANDLERS and "image_api/images.py" in THIN_HANDLERS
    _check([ROOT / name for name in THIN_HANDLERS], _rpc_uses,
           "these handlers call their service layer, not RPC APIs")


def test_the_rule_catches_a_handler_calling_rpc(tmp_path: pathlib.Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from compute_agent.rpcapi import ComputeAPI\n"
                      "from compute_api.common import conductor, req\n"
                      "from compute_api import service\n\n\ndef show(r):\n"
                      "    service.get_server(r.ctx, 'x')\n"
                      "    return conductor.instance_get(r.ctx), compute.stop_instance(r.ctx)\n")
    assert _rpc_uses(sample) == {"compute_agent.rpcapi", "compute_agent.rpcapi.ComputeAPI",
                                 "compute_api.common.conductor", "conductor.instance_get",
                                 "compute.stop_instance"}
