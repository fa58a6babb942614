"""What the scheduler is asked to place: the request spec, and where it may go."""
from __future__ import annotations

from typing import Any

from stratus.objects.base import Payload


class GroupRef(Payload):
    """The server group a request belongs to, as its policy needs it."""
    NAME = "GroupRef"
    VERSION = "1.0"

    uuid: str
    policy: str | None = None
    rules: dict[str, Any] = {}


class RequestSpec(Payload):
    """Everything a placement decision reads. Built once by the compute API, kept with the
    instance (a retry or a rebuild elsewhere reads it again) and sent to the scheduler."""
    NAME = "RequestSpec"
    # 1.1: requested_host, requested_node (2.74).
    # 1.2: requested_networks.
    # 1.3: security_groups.
    VERSION = "1.3"

    project_id: str | None = None
    flavor: dict[str, Any]
    image: dict[str, Any] = {}
    availability_zone: str | None = None
    force_host: str | None = None
    force_node: str | None = None
    # Where the user asked the server to go (2.74): only that host or node is a
    # candidate, and unlike a forced one it must pass the filters.
    requested_host: str | None = None
    requested_node: str | None = None
    scheduler_hints: dict[str, Any] = {}
    group: GroupRef | None = None
    # The networks asked for: a list of {"uuid", "fixed_ip"}, "auto", "none" or None
    # (the project's and the shared ones).
    requested_networks: list[dict[str, Any]] | str | None = None
    # The names of the project's security groups the servers join at create (nova-network;
    # Nova's RequestSpec.security_groups).
    security_groups: list[str] = []
    # Hosts that already failed this request: a retry goes elsewhere.
    retry_hosts: list[str] = []


class Destination(Payload):
    """One host (and node) a request may be placed on."""
    NAME = "Destination"
    VERSION = "1.0"

    host: str
    node: str
