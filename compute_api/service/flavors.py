"""Flavors, their extra specs and access lists, behind the /flavors handlers."""
from __future__ import annotations

import math
from typing import Any

from compute_api.service.clients import conductor
from compute_api.service.servers import owner_filter
from stratus import exception
from stratus.api.validation import to_bool
from stratus.context import RequestContext


# --- flavors -------------------------------------------------------------------------

def list_flavors(ctx: RequestContext, *, is_public: bool | None, min_memory_mb: int,
                 min_root_gb: int, sort_key: str, sort_dir: str, limit: int,
                 marker: str | None, name: str | None = None) -> list[dict[str, Any]]:
    """The flavors the caller may see (admins: every flavor) that match the filters."""
    return conductor.flavor_list(
        ctx, project_id=owner_filter(ctx), is_public=is_public, min_memory_mb=min_memory_mb,
        min_root_gb=min_root_gb, sort_key=sort_key, sort_dir=sort_dir, limit=limit,
        marker=marker, name=name)


def get_flavor(ctx: RequestContext, flavor_id: str) -> dict[str, Any]:
    """Flavor `flavor_id`, if the caller may see it."""
    return conductor.flavor_get(ctx, flavorid=flavor_id, project_id=owner_filter(ctx))


def int_field(flavor: dict[str, Any], key: str, default: int = 0) -> int:
    """An integer field of a create request ("" and null are the default)."""
    value = flavor.get(key, default)
    return int(value) if value not in ("", None) else default


def rxtx_factor(flavor: dict[str, Any]) -> float:
    value = float(flavor.get("rxtx_factor", 1.0))
    if not math.isfinite(value):
        # JSON parsing lets NaN and Infinity through, and NaN passes every bound.
        raise exception.ValidationError(reason="Invalid input for field/attribute "
                                               "rxtx_factor: it must be a finite number.")
    return value


def flavor_values(flavor: dict[str, Any]) -> dict[str, Any]:
    """The flavor row a (validated) create request's `flavor` asks for."""
    flavorid = flavor.get("id")
    values = {"name": flavor["name"],
              "flavorid": str(flavorid) if isinstance(flavorid, int) else flavorid,
              "memory_mb": int_field(flavor, "ram"), "vcpus": int_field(flavor, "vcpus"),
              "root_gb": int_field(flavor, "disk"),
              "ephemeral_gb": int_field(flavor, "OS-FLV-EXT-DATA:ephemeral"),
              "swap": int_field(flavor, "swap"),
              "rxtx_factor": rxtx_factor(flavor),
              "is_public": to_bool(flavor.get("os-flavor-access:is_public", True)),
              "description": flavor.get("description")}
    if values["memory_mb"] < 1 or values["vcpus"] < 1:
        raise exception.Invalid("ram and vcpus must be at least 1.")
    return values


def create_flavor(ctx: RequestContext, flavor: dict[str, Any]) -> dict[str, Any]:
    return conductor.flavor_create(ctx, values=flavor_values(flavor))


def update_flavor_description(ctx: RequestContext, flavor_id: str,
                              description: str | None) -> dict[str, Any]:
    """2.55: a flavor's description is the one thing that may change."""
    return conductor.flavor_update(ctx, flavorid=flavor_id,
                                   values={"description": description})


def delete_flavor(ctx: RequestContext, flavor_id: str) -> None:
    conductor.flavor_delete(ctx, flavorid=flavor_id)


# --- extra specs ---------------------------------------------------------------------

def stringify_specs(specs: dict[str, Any]) -> dict[str, str]:
    """Extra spec values as stored: strings, booleans in lower case."""
    return {k: str(v) if not isinstance(v, bool) else str(v).lower()
            for k, v in specs.items()}


def flavor_extra_specs(ctx: RequestContext, flavor_id: str) -> dict[str, str]:
    return get_flavor(ctx, flavor_id)["extra_specs"] or {}


def flavor_extra_spec(ctx: RequestContext, flavor_id: str, key: str) -> str:
    specs = flavor_extra_specs(ctx, flavor_id)
    if key not in specs:
        raise exception.FlavorExtraSpecNotFound(flavor_id=flavor_id, key=key)
    return specs[key]


def set_flavor_extra_specs(ctx: RequestContext, flavor_id: str,
                           specs: dict[str, Any]) -> dict[str, str]:
    """Add or change extra specs; returns them as stored."""
    stored = stringify_specs(specs)
    conductor.flavor_extra_specs_update(ctx, flavorid=flavor_id, specs=stored)
    return stored


def delete_flavor_extra_spec(ctx: RequestContext, flavor_id: str, key: str) -> None:
    conductor.flavor_extra_spec_delete(ctx, flavorid=flavor_id, key=key)


# --- access ----------------------------------------------------------------------------

def flavor_access_list(ctx: RequestContext, flavor_id: str) -> list[str]:
    """The projects that may use the (private) flavor."""
    flavor = conductor.flavor_get(ctx, flavorid=flavor_id)
    if flavor["is_public"]:
        raise exception.NotFound("Access list not available for public flavors.")
    return flavor["projects"]


def add_flavor_access(ctx: RequestContext, flavor_id: str, project_id: str) -> list[str]:
    return conductor.flavor_access_add(ctx, flavorid=flavor_id, project_id=project_id)


def remove_flavor_access(ctx: RequestContext, flavor_id: str, project_id: str) -> list[str]:
    return conductor.flavor_access_remove(ctx, flavorid=flavor_id, project_id=project_id)
