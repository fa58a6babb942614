"""`stratus`: the admin CLI.

The core gives the app and its --config-file option; the commands come from the installed
packages (entry point group `stratus.commands`): the conductor's `db`, `bootstrap` and
`service` work straight on the database in its place (as nova-manage does), so they work
in the embedded and the distributed mode alike, whether or not the cloud is running.
"""
from __future__ import annotations

from typing import Optional

import typer

from stratus import config, plugins

app = typer.Typer(help="Stratus admin CLI.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


@app.callback()
def main_options(config_file: Optional[list[str]] = typer.Option(  # noqa: UP007
        None, "--config-file", help="Configuration file(s) to read.")) -> None:
    args: list[str] = []
    for path in config_file or []:
        args += ["--config-file", path]
    config.parse_args(args)


plugins.register_commands(app)


def main() -> None:
    app()
