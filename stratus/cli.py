"""`stratus`: the admin CLI (database, bootstrap, services).

Commands work straight on the database in the conductor's place (as
nova-manage does), so they work in the embedded and the distributed mode
alike, whether or not the cloud is running.
"""
from __future__ import annotations

import os
from typing import Optional

import typer
import yaml

from stratus import config

app = typer.Typer(help="Stratus admin CLI.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
service_app = typer.Typer(help="Services of the cloud.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(service_app, name="service")
image_app = typer.Typer(help="Images.", no_args_is_help=True)
app.add_typer(image_app, name="image")
scheduler_app = typer.Typer(help="The scheduler.", no_args_is_help=True)
app.add_typer(scheduler_app, name="scheduler")


@app.callback()
def main_options(config_file: Optional[list[str]] = typer.Option(  # noqa: UP007
        None, "--config-file", help="Configuration file(s) to read.")) -> None:
    args: list[str] = []
    for path in config_file or []:
        args += ["--config-file", path]
    config.parse_args(args)


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


@app.command()
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
    cloud = {"auth": {"auth_url": config.CONF.identity.public_endpoint.rstrip("/") + "/v3",
                      "username": "admin", "password": password, "project_name": "admin",
                      "user_domain_id": "default", "project_domain_id": "default"},
             "region_name": config.CONF.identity.region, "identity_api_version": 3,
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
    from stratus import exception
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


@image_app.command("build-test-guest")
def build_test_guest(clouds_yaml: str = typer.Option(
                         ".stratus/clouds.yaml", help="Credentials of the cloud to upload to."),
                     cloud: str = typer.Option("stratus", help="Cloud name in clouds.yaml."),
                     name: str = typer.Option("stratus-test-guest", help="Image name."),
                     upload: bool = typer.Option(True, help="Upload after building.")) -> None:
    """Build the test guest from Debian packages (cloud kernel + busybox-static) and
    upload it as kernel, ramdisk and qcow2 disk images."""
    import pathlib

    from stratus.guest import builder
    from stratus.guest import upload as uploader
    files = builder.build(pathlib.Path(config.state_file("test-guest", "x")).parent)
    typer.echo(f"Built {files.kernel}, {files.initrd}, {files.disk}")
    if not upload:
        return
    client, endpoint = uploader.session_from_clouds_yaml(pathlib.Path(clouds_yaml), cloud)
    ids = uploader.upload(client, endpoint, files, name=name)
    typer.echo(f"Uploaded image {name}: {ids['disk']} (kernel {ids['kernel']}, "
               f"ramdisk {ids['ramdisk']})")


@scheduler_app.command("explain")
def scheduler_explain(flavor: str = typer.Option(..., help="Flavor ID or name."),
                      image: Optional[str] = typer.Option(None, help="Image ID."),  # noqa: UP007
                      az: Optional[str] = typer.Option(None, help="Availability zone."),  # noqa: UP007
                      hint: Optional[list[str]] = typer.Option(  # noqa: UP007
                          None, help="Scheduler hint KEY=VALUE (repeatable), e.g. "
                                     "group=<server group id>."),
                      project: Optional[str] = typer.Option(  # noqa: UP007
                          None, help="Project ID the request is for (tenant isolation).")
                      ) -> None:
    """Run the scheduler's filters and weighers as a dry run and show, per filter,
    which hosts it removed and why."""
    from conductor import manage
    from scheduler.explain import explain, render
    from stratus import exception
    hints: dict[str, object] = {}
    for item in hint or []:
        key, _, value = item.partition("=")
        hints[key] = value
    if az:
        hints["availability_zone"] = az
    try:
        nodes, aggregates, spec = manage.scheduling_inputs(flavor, image, hints, project)
    except exception.NotFound as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from e
    typer.echo(render(explain(nodes, aggregates, spec)))


def main() -> None:
    app()
