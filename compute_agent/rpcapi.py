"""Wire contract of a compute agent (topic `compute`, server = its host).

Version history:
  1.0 - build_and_run_instance, terminate_instance.
  1.1 - get_console_output, stop/start/reboot/pause/unpause/suspend/resume_instance,
        snapshot_instance, rebuild_instance, get_diagnostics.
  1.2 - build_status (the conductor's build watchdog asks about stalled builds).
"""
from __future__ import annotations

from stratus.rpc import RPCAPI


class ComputeAPI(RPCAPI):
    TOPIC = "compute"
    VERSION = "1.2"
    METHODS = {
        "build_and_run_instance": "cast",
        "terminate_instance": "cast",
        "get_console_output": "call",
        "stop_instance": "cast",
        "start_instance": "cast",
        "reboot_instance": "cast",
        "pause_instance": "cast",
        "unpause_instance": "cast",
        "suspend_instance": "cast",
        "resume_instance": "cast",
        "snapshot_instance": "cast",
        "rebuild_instance": "cast",
        "get_diagnostics": "call",
        "build_status": "call",
    }
