"""The scheduler's admin command (entry point `stratus.commands: scheduler`):
`stratus scheduler explain`, a dry run on the conductor's data read in its place."""
from __future__ import annotations

from typing import Optional

import typer

from stratus import exception

scheduler_app = typer.Typer(help="The scheduler.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(scheduler_app, name="scheduler")


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
    hints = _hints(hint or [])
    if az:
        hints["availability_zone"] = az
    try:
        nodes, aggregates, spec = manage.scheduling_inputs(flavor, image, hints, project)
    except exception.NotFound as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from e
    typer.echo(render(explain(nodes, aggregates, spec)))


def _hints(items: list[str]) -> dict[str, object]:
    hints: dict[str, object] = {}
    for item in items:
        key, _, value = item.partition("=")
        hints[key] = value
    return hints
