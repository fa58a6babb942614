"""The RPC client of the image service layer; handlers never use it directly."""
from __future__ import annotations

from conductor.rpcapi.image import ImageAPI
from stratus.rpc import SharedClient

conductor = SharedClient(ImageAPI)
