"""The RPC client of the metadata service layer; handlers never use it directly."""
from __future__ import annotations

from conductor.rpcapi.compute import ComputeConductorAPI
from stratus.rpc import SharedClient

conductor = SharedClient(ComputeConductorAPI)
