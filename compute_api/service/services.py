"""Services: list, enable/disable (with a reason), force down, delete, behind the
/os-services handlers."""
from __future__ import annotations

import time
from typing import Any

from compute_api.service.clients import conductor
from stratus import exception
from stratus.api.validation import MAX_INT, to_bool
from stratus.availability_zones import host_zones, zone_of
from stratus.context import RequestContext
from stratus.servicegroup import get_driver


# The compute API names services as Nova does (nova-compute, nova-scheduler, ...): stock
# clients, Tempest and admins' scripts filter on those names. Inside they are stratus-*.
_OURS, _NOVAS = "stratus-", "nova-"


def wire_binary(binary: str) -> str:
    """stratus-compute -> nova-compute, as the compute API shows it."""
    return _NOVAS + binary.removeprefix(_OURS) if binary.startswith(_OURS) else binary


def stored_binary(binary: str) -> str:
    """nova-compute (or stratus-compute) -> stratus-compute, as the services table has it."""
    return _OURS + binary.removeprefix(_NOVAS) if binary.startswith(_NOVAS) else binary


def parse_service_id(raw: str) -> int:
    """The service id in a path before 2.53, an integer a service row may have."""
    shown = raw[:64]
    try:
        ident = int(raw)
    except ValueError:
        raise exception.Invalid(f"Invalid id {shown}: it must be an integer.") from None
    if not 0 <= ident <= MAX_INT:
        # No row has such an id; SQLite could not even compare it (past 64 bits).
        raise exception.ServiceNotFound(service_id=shown)
    return ident


def described(ctx: RequestContext, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each service as {"service": row, "zone": its zone (from aggregates), "up": whether
    it is alive} (one service-group query for the whole list)."""
    zones = host_zones(conductor.aggregate_list(ctx))
    now = time.time()
    until = get_driver().up_until_many(services)
    return [{"service": svc, "zone": zone_of(svc, zones), "up": up >= now}
            for svc, up in zip(services, until)]


def list_services(ctx: RequestContext, host: str | None,
                  binary: str | None) -> list[dict[str, Any]]:
    """The services (on `host`, of `binary`), described."""
    return described(ctx, conductor.service_list(
        ctx, host=host, binary=stored_binary(binary) if binary else binary))


# --- before 2.53: services named by host and binary --------------------------------------

def _update_by_host(ctx: RequestContext, host: str, binary: str,
                    values: dict[str, Any]) -> dict[str, Any]:
    return conductor.service_update(ctx, host=host, binary=stored_binary(binary),
                                    values=values)


def enable_service(ctx: RequestContext, host: str, binary: str) -> dict[str, Any]:
    """Enable the service and forget why it was disabled."""
    return _update_by_host(ctx, host, binary, {"disabled": False, "disabled_reason": None})


def disable_service(ctx: RequestContext, host: str, binary: str,
                    reason: str | None = None) -> dict[str, Any]:
    """Disable the service, with `reason` (None: the reason it has stays)."""
    values: dict[str, Any] = {"disabled": True}
    if reason is not None:
        values["disabled_reason"] = reason
    return _update_by_host(ctx, host, binary, values)


def force_down_service(ctx: RequestContext, host: str, binary: str,
                       forced_down: bool) -> dict[str, Any]:
    return _update_by_host(ctx, host, binary, {"forced_down": forced_down})


# --- from 2.53: services named by uuid ---------------------------------------------------

def update_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The columns a (validated) 2.53 update body sets."""
    values: dict[str, Any] = {}
    if body.get("status") == "enabled":
        if body.get("disabled_reason"):
            raise exception.Invalid("Specifying 'disabled_reason' with status 'enabled' "
                                    "is invalid.")
        values.update(disabled=False, disabled_reason=None)
    elif body.get("status") == "disabled":
        values.update(disabled=True, disabled_reason=body.get("disabled_reason"))
    if "forced_down" in body:
        values["forced_down"] = to_bool(body["forced_down"])
    if not values:
        raise exception.Invalid("No updates were requested. Fields 'status' or "
                                "'forced_down' should be specified.")
    return values


def update_compute_service(ctx: RequestContext, service_uuid: str,
                           body: dict[str, Any]) -> dict[str, Any]:
    """Apply a 2.53 update body to compute service `service_uuid`; returns it described."""
    found = conductor.service_get(ctx, service_uuid=service_uuid)
    if found["binary"] != "stratus-compute":
        raise exception.Invalid(f"Updating a {wire_binary(found['binary'])} service is not "
                                f"supported. Only nova-compute services can be updated.")
    updated = conductor.service_update(ctx, service_uuid=service_uuid,
                                       values=update_changes(body))
    return described(ctx, [updated])[0]


def delete_service(ctx: RequestContext, *, service_id: int | None = None,
                   service_uuid: str | None = None) -> None:
    """Delete a service by database id (before 2.53) or uuid, with its nodes."""
    if service_uuid is not None:
        conductor.service_delete(ctx, service_uuid=service_uuid)
    else:
        conductor.service_delete(ctx, service_id=service_id)
