"""SQL of claims: an instance put on a compute node only if it still fits there, under
the node's allocation ratios (its aggregates' overrides) and its server group's policy.
The node row is locked and its usage summed afresh, so concurrent claims queue up."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from conductor.compute.models import Instance
from conductor.compute.queries import server_groups
from conductor.compute.queries.instances import cas_update, instance_dicts, instance_row
from conductor.compute.queries.usage import NO_USAGE, usage_by_node
from conductor.db import api as db
from conductor.hosts import queries as hosts
from stratus import exception
from stratus.allocation_ratios import RATIO_KEYS, effective_ratios
from stratus.availability_zones import host_zones
from stratus.config import CONF
from stratus.objects import states


def need_of(flavor: dict[str, Any]) -> dict[str, int]:
    """What an instance of `flavor` takes of a node."""
    return {"vcpus": flavor["vcpus"], "memory_mb": flavor["memory_mb"],
            "disk_gb": flavor["root_gb"] + flavor["ephemeral_gb"]}


def _check_fits(node: dict[str, Any], used: dict[str, int], need: dict[str, int],
                ratios: dict[str, float]) -> None:
    free_ram = (node["memory_mb"] * ratios["ram_allocation_ratio"]
                - CONF.compute.reserved_host_memory_mb - used["memory_mb_used"])
    free_cpu = node["vcpus"] * ratios["cpu_allocation_ratio"] - used["vcpus_used"]
    free_disk = (node["local_gb"] * ratios["disk_allocation_ratio"]
                 - CONF.compute.reserved_host_disk_mb / 1024 - used["local_gb_used"])
    for name, wanted, free in (("RAM", need["memory_mb"], free_ram),
                               ("vCPUs", need["vcpus"], free_cpu),
                               ("disk", need["disk_gb"], free_disk)):
        if wanted > free:
            raise exception.Conflict(reason=f"not enough {name}: need {wanted}, free {free:g}")


def reserve(session: Session, instance_uuid: str, host: str, node: str,
            need: dict[str, int]) -> dict[str, Any]:
    """Check that `need` fits on `node` now (its row locked) and that the instance's
    server group allows `host` (Conflict otherwise); the node and the zone of its host."""
    found = hosts.lock_compute_node(session, node)
    if found is None:
        raise exception.Conflict(reason=f"node {node} is gone")
    used = usage_by_node(session, node).get(node, NO_USAGE)
    aggregates = hosts.host_aggregates(session, host)
    _check_fits(found, used, need,
                effective_ratios(aggregates, {k: found[k] for k in RATIO_KEYS}))
    server_groups.check_placement(session, instance_uuid, host)
    found["availability_zone"] = host_zones(aggregates).get(host,
                                                            CONF.default_availability_zone)
    return found


def place(session: Session, row: Instance, host: str, node: str) -> None:
    """Move the instance's claim to `node` if it fits there (Conflict otherwise), in the
    zone of its host."""
    found = reserve(session, row.uuid, host, node, need_of(
        {"vcpus": row.vcpus, "memory_mb": row.memory_mb, "root_gb": row.root_gb,
         "ephemeral_gb": row.ephemeral_gb}))
    cas_update(session, row, {"host": host, "node": node,
                              "availability_zone": found["availability_zone"]})


def claim(instance_uuid: str, host: str, node: str) -> dict[str, Any] | None:
    """Put the building instance on `node`: it, or None when it is being deleted or
    placed already (a second schedule of the same build); Conflict when it does not
    fit."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid)
        if row.task_state == states.DELETING or row.vm_state != states.BUILDING:
            return None
        if row.host is not None:
            return None
        place(s, row, host, node)
        return instance_dicts(s, [row])[0]


def move_claim(instance_uuid: str, host: str, node: str) -> dict[str, Any]:
    """Move the live instance's claim to `node` (an evacuation); Conflict when it does
    not fit."""
    with db.writer() as s:
        row = instance_row(s, instance_uuid)
        place(s, row, host, node)
        return instance_dicts(s, [row])[0]


def zone_of(session: Session, host: str | None) -> str:
    """The availability zone of `host` (its aggregates', else the default)."""
    if host is None:
        return CONF.default_availability_zone
    return host_zones(hosts.host_aggregates(session, host)).get(
        host, CONF.default_availability_zone)
