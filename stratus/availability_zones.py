"""Availability zones (seed 5.2.6): a host's zone is the `availability_zone` metadata of
an aggregate it belongs to, else `[DEFAULT] default_availability_zone`; services other
than compute agents are in the internal zone.

Aggregates arrive as the conductor sends them: {"hosts": [...], "metadata": {...}, ...}.
"""
from __future__ import annotations

from typing import Any

from stratus.config import CONF

COMPUTE_BINARY = "stratus-compute"
ZONE_KEY = "availability_zone"


def host_zones(aggregates: list[dict[str, Any]]) -> dict[str, str]:
    """host -> zone for every host some aggregate puts in a zone."""
    zones: dict[str, str] = {}
    for aggregate in aggregates:
        zone = aggregate["metadata"].get(ZONE_KEY)
        if zone:
            for host in aggregate["hosts"]:
                zones.setdefault(host, zone)
    return zones


def zone_of(service: dict[str, Any], zones: dict[str, str]) -> str:
    if service["binary"] != COMPUTE_BINARY:
        return CONF.internal_service_availability_zone
    return zones.get(service["host"], CONF.default_availability_zone)


def known_zones(aggregates: list[dict[str, Any]]) -> set[str]:
    """Zones a server may be created in."""
    return {CONF.default_availability_zone} | {
        a["metadata"][ZONE_KEY] for a in aggregates if a["metadata"].get(ZONE_KEY)}
