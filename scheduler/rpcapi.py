"""Wire contract of the scheduler (topic `scheduler`).

Version history:
  1.0 - select_destinations.
"""
from __future__ import annotations

from stratus.rpc import RPCAPI


class SchedulerAPI(RPCAPI):
    TOPIC = "scheduler"
    VERSION = "1.0"
    METHODS = {
        # request_spec, instance_uuids, excluded_hosts -> per instance a list
        # of {"host", "node"} candidates, best first; raises NoValidHost.
        "select_destinations": "call",
    }
