"""`stratus image build-test-guest` (entry point `stratus.commands: guest`)."""
from __future__ import annotations

import pathlib

import typer

from stratus import config

image_app = typer.Typer(help="Images.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(image_app, name="image")


@image_app.command("build-test-guest")
def build_test_guest(clouds_yaml: str = typer.Option(
                         ".stratus/clouds.yaml", help="Credentials of the cloud to upload to."),
                     cloud: str = typer.Option("stratus", help="Cloud name in clouds.yaml."),
                     name: str = typer.Option("stratus-test-guest", help="Image name."),
                     upload: bool = typer.Option(True, help="Upload after building.")) -> None:
    """Build the test guest from Debian packages (cloud kernel + busybox-static) and
    upload it as kernel, ramdisk and qcow2 disk images."""
    from stratus_tools.guest import builder
    from stratus_tools.guest import upload as uploader
    files = builder.build(pathlib.Path(config.state_file("test-guest", "x")).parent)
    typer.echo(f"Built {files.kernel}, {files.initrd}, {files.disk}")
    if not upload:
        return
    client, endpoint = uploader.session_from_clouds_yaml(pathlib.Path(clouds_yaml), cloud)
    ids = uploader.upload(client, endpoint, files, name=name)
    typer.echo(f"Uploaded image {name}: {ids['disk']} (kernel {ids['kernel']}, "
               f"ramdisk {ids['ramdisk']})")
