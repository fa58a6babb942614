"""The RPC client of the identity service layer; handlers never use it directly."""
from __future__ import annotations

from conductor.rpcapi.identity import IdentityAPI
from stratus.rpc import SharedClient

conductor = SharedClient(IdentityAPI)
