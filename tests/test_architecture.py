"""Rules of the code base that must keep holding."""
from __future__ import annotations

import ast
import pathlib
import subprocess
import sys
import tomllib
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
    offenders = []
    for path in _python_files(CORE):
        bad = _service_imports(path)
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {', '.join(sorted(bad))}")
    assert offenders == [], "stratus/ may not import a service package:\n" + \
        "\n".join(offenders)


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


# Handler modules that reach the RPC APIs only through the service layer
# (compute_api/service/); add a module once its handlers are thin.
THIN_HANDLERS = ["compute_api/servers.py", "compute_api/server_actions.py"]
RPC_CLIENTS = {"conductor", "compute", "scheduler"}
RPC_MODULES = ("stratus.rpc", "compute_api.service.clients")


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
    offenders = []
    for name in THIN_HANDLERS:
        bad = _rpc_uses(ROOT / name)
        if bad:
            offenders.append(f"{name}: {', '.join(sorted(bad))}")
    assert offenders == [], "these handlers call compute_api/service, not RPC APIs:\n" + \
        "\n".join(offenders)


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
