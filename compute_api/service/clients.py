"""The RPC clients of the compute service layer; handlers never use them directly."""
from __future__ import annotations

from compute_agent.rpcapi import ComputeAPI
from conductor import rpcapi as conductor_rpcapi
from stratus.rpc import SharedClient

conductor = conductor_rpcapi.client()
compute = SharedClient(ComputeAPI)
