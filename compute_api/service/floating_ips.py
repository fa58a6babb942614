"""Floating IPs as nova-network's APIs see them (os-floating-ips, pools, bulk, and the
addFloatingIp/removeFloatingIp actions) over the conductor's network domain."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from stratus import exception
from stratus.api.validation import MAX_INT
from stratus.config import CONF
from stratus.context import RequestContext

Record = dict[str, Any]


def _int_id(floating_id: str) -> int:
    """An id in the column's range; any other is simply not found."""
    try:
        value = int(floating_id)
    except ValueError:
        value = -1
    if not 0 < value <= MAX_INT:
        raise exception.NotFound(f"Floating IP not found for ID {floating_id}")
    return value


def list_floating(ctx: RequestContext) -> list[Record]:
    return conductor.floating_ip_list(ctx, project_id=ctx.project_id)


def get_floating(ctx: RequestContext, floating_id: str) -> Record:
    return conductor.floating_ip_get(ctx, floating_id=_int_id(floating_id),
                                     project_id=ctx.project_id)


def allocate(ctx: RequestContext, pool: str | None) -> Record:
    return conductor.floating_ip_allocate(ctx, project_id=ctx.project_id, pool=pool)


def deallocate(ctx: RequestContext, floating_id: str) -> None:
    conductor.floating_ip_deallocate(ctx, floating_id=_int_id(floating_id),
                                     project_id=ctx.project_id)


def pools(ctx: RequestContext) -> list[str]:
    return conductor.floating_ip_pools(ctx)


def associate(ctx: RequestContext, instance: Record, address: str,
              fixed_address: str | None) -> None:
    """Lead a floating IP of the server's project to the server (a floating IP of
    another project is not found)."""
    conductor.floating_ip_associate(ctx, address=address, instance_uuid=instance["uuid"],
                                    project_id=instance["project_id"],
                                    fixed_address=fixed_address)


def disassociate(ctx: RequestContext, instance: Record, address: str) -> None:
    conductor.floating_ip_disassociate(ctx, address=address,
                                       project_id=instance["project_id"],
                                       instance_uuid=instance["uuid"])


def bulk_list(ctx: RequestContext, host: str | None = None) -> list[Record]:
    return conductor.floating_ip_list(ctx, host=host)


def bulk_create(ctx: RequestContext, ip_range: str, pool: str | None,
                interface: str | None) -> None:
    conductor.floating_ip_bulk_create(ctx, ip_range=ip_range, pool=pool,
                                      interface=interface)


def bulk_delete(ctx: RequestContext, ip_range: str) -> None:
    conductor.floating_ip_bulk_delete(ctx, ip_range=ip_range)


def default_pool() -> str:
    return str(CONF.network.default_floating_pool)


def default_interface() -> str | None:
    return CONF.network.public_interface
