"""stratus-compute: the compute agent(s) of this host ([fake] host_count of them)."""
from __future__ import annotations

from stratus import launcher
from stratus.cmd import prepare


def main() -> None:
    prepare()
    launcher.run_services(launcher.compute_services())
