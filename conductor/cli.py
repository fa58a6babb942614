"""The conductor's admin commands (entry point `stratus.commands: conductor`): `stratus db
...`, `stratus bootstrap` and `stratus service ...`. They run the conductor's own code in
its place, straight on the database, as nova-manage does (imported when a command runs:
`stratus --help` loads no database layer)."""
from __future__ import annotations

import os
from typing import Optional

import typer
import yaml

from stratus import exception
from stratus.config import CONF

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
service_app = typer.Typer(help="Services of the cloud.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command()(bootstrap)
    app.add_typer(service_app, name="service")


@db_app.command("sync")
def db_sync() -> None:
    """Create or upgrade the database schema to the newest version."""
    from conductor import manage
    typer.echo(f"Database at version {manage.db_sync()}")


@db_app.command("version")
def db_version() -> None:
    """Print the schema version of the database."""
    from conductor import manage
    typer.echo(manage.db_version() or "none (run 'stratus db sync')")


def bootstrap(password: Optional[str] = typer.Option(  # noqa: UP007
                  None, envvar="STRATUS_ADMIN_PASSWORD",
                  help="Admin password (default: keep it, or generate one)."),
              clouds_yaml: Optional[str] = typer.Option(  # noqa: UP007
                  None, help="Write a clouds.yaml for cloud 'stratus' here.")) -> None:
    """Roles, admin project and user, service catalog and default flavors."""
    from conductor import manage
    result = manage.bootstrap(admin_password=password or _saved_password(clouds_yaml))
    typer.echo(f"Bootstrapped project {result['project']['name']} and user "
               f"{result['user']['name']}")
    if clouds_yaml and result["password"]:
        write_clouds_yaml(clouds_yaml, result["password"])
        typer.echo(f"Wrote {clouds_yaml} (use: export OS_CLIENT_CONFIG_FILE={clouds_yaml}"
                   f" OS_CLOUD=stratus)")


def _saved_password(path: str | None) -> str | None:
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        data = yaml.safe_load(f) or {}
    return data.get("clouds", {}).get("stratus", {}).get("auth", {}).get("password")


def write_clouds_yaml(path: str, password: str) -> None:
    cloud = {"auth": {"auth_url": CONF.identity.public_endpoint.rstrip("/") + "/v3",
                      "username": "admin", "password": password, "project_name": "admin",
                      "user_domain_id": "default", "project_domain_id": "default"},
             "region_name": CONF.identity.region, "identity_api_version": 3,
             "interface": "public"}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump({"clouds": {"stratus": cloud}}, f, default_flow_style=False)


@service_app.command("list")
def service_list() -> None:
    """Every service with its status (enabled/disabled) and state (up/down)."""
    from conductor import manage
    rows = manage.service_table()
    header = ("ID", "Binary", "Host", "Zone", "Status", "State", "Updated At",
              "Disabled Reason")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        typer.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


def _set_service(host: str, binary: str, values: dict[str, object]) -> None:
    from conductor import manage
    try:
        manage.service_set(host, binary, values)
    except exception.NotFound as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from e


@service_app.command("disable")
def service_disable(host: str, binary: str, reason: Optional[str] = typer.Option(  # noqa: UP007
        None, "--reason", help="Why, shown in os-services.")) -> None:
    """Stop scheduling onto a service's host."""
    _set_service(host, binary, {"disabled": True, "disabled_reason": reason})
    typer.echo(f"Disabled {binary} on {host}")


@service_app.command("enable")
def service_enable(host: str, binary: str) -> None:
    """Schedule onto a service's host again."""
    _set_service(host, binary, {"disabled": False, "disabled_reason": None})
    typer.echo(f"Enabled {binary} on {host}")
