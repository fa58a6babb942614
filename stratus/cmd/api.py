"""stratus-api: the compute REST API on its own."""
from __future__ import annotations

from stratus import launcher
from stratus.cmd import prepare


def main() -> None:
    prepare()
    launcher.run_services([], apis=("compute",))
