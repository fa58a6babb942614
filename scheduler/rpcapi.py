"""Wire contract of the scheduler (topic `scheduler`).

Version history:
  1.0 - select_destinations.
  1.1 - host_states_changed (fanout from the conductor).
"""
from __future__ import annotations

from stratus.rpc import RPCAPI


class SchedulerAPI(RPCAPI):
    TOPIC = "scheduler"
    VERSION = "1.1"
    METHODS = {
        # request_spec, instance_uuids, excluded_hosts -> per instance a list
        # of {"host", "node"} candidates, best first; raises NoValidHost.
        "select_destinations": "call",
        # A host was added, removed, enabled, disabled or forced down.
        "host_states_changed": "fanout",
    }
