"""Instances (being written)."""
from __future__ import annotations

from conductor.rpcapi import ConductorAPI
from stratus.rpc import endpoint_target


class InstanceEndpoint:
    target = endpoint_target(ConductorAPI)
