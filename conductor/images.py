"""Image records (placeholder until the image service lands)."""
from __future__ import annotations

from conductor.rpcapi import ConductorAPI
from stratus.rpc import endpoint_target


class ImageEndpoint:
    target = endpoint_target(ConductorAPI)
