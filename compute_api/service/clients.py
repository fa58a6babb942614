"""The RPC clients of the compute service layer; handlers never use them directly."""
from __future__ import annotations

from compute_agent.rpcapi import ComputeAPI
from conductor.rpcapi import ConductorAPI
from stratus.rpc import SharedClient

conductor = SharedClient(ConductorAPI)
compute = SharedClient(ComputeAPI)
