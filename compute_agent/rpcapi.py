"""Wire contract of a compute agent (topic `compute`, server = its host).

Version history:
  1.0 - build_and_run_instance, terminate_instance.
  1.1 - get_console_output.
"""
from __future__ import annotations

from stratus.rpc import RPCAPI


class ComputeAPI(RPCAPI):
    TOPIC = "compute"
    VERSION = "1.1"
    METHODS = {
        "build_and_run_instance": "cast",
        "terminate_instance": "cast",
        "get_console_output": "call",
    }
