"""/flavors, their extra specs (os-extra_specs) and access lists (os-flavor-access)."""
from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api.common import Req, conductor, limit_and_marker, links, page, req
from compute_api.schemas import flavors as schemas
from stratus import exception
from stratus.api import validation
from stratus.api.validation import MAX_INT, to_bool

router = APIRouter(prefix="/v2.1/flavors")
FM = "os_compute_api:os-flavor-manage:%s"
ES = "os_compute_api:os-flavor-extra-specs:%s"
FA = "os_compute_api:os-flavor-access"


def view(r: Req, flavor: dict[str, Any], detailed: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"id": flavor["flavorid"], "name": flavor["name"],
                            "links": links("flavors", flavor["flavorid"])}
    if r.at_least(55):
        body["description"] = flavor["description"]
    if not detailed:
        return body
    body.update({"ram": flavor["memory_mb"], "vcpus": flavor["vcpus"],
                 "disk": flavor["root_gb"],
                 "OS-FLV-EXT-DATA:ephemeral": flavor["ephemeral_gb"],
                 "swap": flavor["swap"] or "",
                 "rxtx_factor": flavor["rxtx_factor"],
                 "OS-FLV-DISABLED:disabled": flavor["disabled"],
                 "os-flavor-access:is_public": flavor["is_public"]})
    # 2.61: the extra specs, to those who may list them.
    if r.at_least(61) and r.can(ES % "index", {"project_id": r.ctx.project_id}):
        body["extra_specs"] = dict(flavor["extra_specs"] or {})
    return body


def _visible_to(r: Req) -> str | None:
    return None if r.ctx.is_admin else r.ctx.project_id


def _is_public_param(r: Req) -> bool | None:
    raw = r.query.get("is_public")
    if raw is None:
        return True
    if raw.lower() == "none":
        return None
    if raw.lower() not in ("true", "false", "1", "0", "t", "f", "yes", "no"):
        raise exception.Invalid(f"Invalid is_public filter [{raw}]")
    return raw.lower() in ("true", "1", "t", "yes")


def _int_param(r: Req, name: str) -> int:
    raw = r.query.get(name, "0")
    try:
        value = int(raw)
    except ValueError:
        raise exception.Invalid(f"Invalid {name} filter [{raw[:64]}]") from None
    if not 0 <= value <= MAX_INT:
        raise exception.Invalid(f"Invalid {name} filter [{raw[:64]}]: it must be an "
                                f"integer from 0 to {MAX_INT}.")
    return value


def _list(r: Req, detailed: bool) -> dict[str, Any]:
    r.authorize("os_compute_api:flavors")
    limit, marker = limit_and_marker(r)
    sort_key = r.query.get("sort_key", "flavorid")
    sort_dir = r.query.get("sort_dir", "asc")
    flavors = conductor.flavor_list(
        r.ctx, project_id=_visible_to(r), is_public=_is_public_param(r),
        min_memory_mb=_int_param(r, "minRam"), min_root_gb=_int_param(r, "minDisk"),
        sort_key=sort_key, sort_dir=sort_dir, limit=limit, marker=marker)
    return page(r, "flavors", [view(r, f, detailed) for f in flavors], flavors, limit,
                "flavorid")


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    return _list(r, detailed=False)


@router.get("/detail")
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    return _list(r, detailed=True)


@router.get("/{flavor_id}")
def show(flavor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize("os_compute_api:flavors")
    return {"flavor": view(r, conductor.flavor_get(r.ctx, flavorid=flavor_id,
                                                   project_id=_visible_to(r)))}


def _int_field(flavor: dict[str, Any], key: str, default: int = 0) -> int:
    value = flavor.get(key, default)
    return int(value) if value not in ("", None) else default


def _rxtx_factor(flavor: dict[str, Any]) -> float:
    value = float(flavor.get("rxtx_factor", 1.0))
    if not math.isfinite(value):
        # JSON parsing lets NaN and Infinity through, and NaN passes every bound.
        raise exception.ValidationError(reason="Invalid input for field/attribute "
                                               "rxtx_factor: it must be a finite number.")
    return value


@router.post("")
@validation.schema(schemas.create, "2.1", "2.54")
@validation.schema(schemas.create_v255, "2.55")
def create(body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(FM % "create")
    flavor = body["flavor"]
    values = {"name": flavor["name"], "flavorid": flavor.get("id"),
              "memory_mb": _int_field(flavor, "ram"), "vcpus": _int_field(flavor, "vcpus"),
              "root_gb": _int_field(flavor, "disk"),
              "ephemeral_gb": _int_field(flavor, "OS-FLV-EXT-DATA:ephemeral"),
              "swap": _int_field(flavor, "swap"),
              "rxtx_factor": _rxtx_factor(flavor),
              "is_public": to_bool(flavor.get("os-flavor-access:is_public", True)),
              "description": flavor.get("description")}
    if values["memory_mb"] < 1 or values["vcpus"] < 1:
        raise exception.Invalid("ram and vcpus must be at least 1.")
    return {"flavor": view(r, conductor.flavor_create(r.ctx, values=values))}


@router.put("/{flavor_id}")
@validation.schema(schemas.update)
def update(flavor_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    """2.55: a flavor's description is the one thing that may change."""
    if not r.at_least(55):
        raise exception.NotFound("The resource could not be found.")
    r.authorize(FM % "update")
    flavor = conductor.flavor_update(r.ctx, flavorid=flavor_id,
                                     values={"description": body["flavor"]["description"]})
    return {"flavor": view(r, flavor)}


@router.delete("/{flavor_id}", status_code=202)
def delete(flavor_id: str, r: Req = Depends(req)) -> Response:
    r.authorize(FM % "delete")
    conductor.flavor_delete(r.ctx, flavorid=flavor_id)
    return Response(status_code=202)


# --- extra specs ---------------------------------------------------------------------

def _specs(r: Req, flavor_id: str) -> dict[str, str]:
    return conductor.flavor_get(r.ctx, flavorid=flavor_id,
                                project_id=_visible_to(r))["extra_specs"] or {}


def _stringify(specs: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) if not isinstance(v, bool) else str(v).lower()
            for k, v in specs.items()}


@router.get("/{flavor_id}/os-extra_specs")
def specs_index(flavor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(ES % "index")
    return {"extra_specs": _specs(r, flavor_id)}


@router.post("/{flavor_id}/os-extra_specs")
@validation.schema(schemas.extra_specs)
def specs_create(flavor_id: str, body: Any = Body(None),
                 r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(ES % "create")
    specs = _stringify(body["extra_specs"])
    conductor.flavor_extra_specs_update(r.ctx, flavorid=flavor_id, specs=specs)
    return {"extra_specs": specs}


@router.get("/{flavor_id}/os-extra_specs/{key}")
def specs_show(flavor_id: str, key: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(ES % "show")
    specs = _specs(r, flavor_id)
    if key not in specs:
        raise exception.FlavorExtraSpecNotFound(flavor_id=flavor_id, key=key)
    return {key: specs[key]}


@router.put("/{flavor_id}/os-extra_specs/{key}")
@validation.schema(schemas.extra_spec_item)
def specs_update(flavor_id: str, key: str, body: Any = Body(None),
                 r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(ES % "update")
    if key not in body:
        raise exception.Invalid("Request body and URI mismatch")
    specs = _stringify(body)
    conductor.flavor_extra_specs_update(r.ctx, flavorid=flavor_id, specs=specs)
    return specs


@router.delete("/{flavor_id}/os-extra_specs/{key}")
def specs_delete(flavor_id: str, key: str, r: Req = Depends(req)) -> Response:
    r.authorize(ES % "delete")
    conductor.flavor_extra_spec_delete(r.ctx, flavorid=flavor_id, key=key)
    return Response(status_code=200)


# --- access -----------------------------------------------------------------------------

def _access_view(flavor_id: str, projects: list[str]) -> dict[str, Any]:
    return {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": p} for p in projects]}


@router.get("/{flavor_id}/os-flavor-access")
def access_index(flavor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(FA)
    flavor = conductor.flavor_get(r.ctx, flavorid=flavor_id)
    if flavor["is_public"]:
        raise exception.NotFound("Access list not available for public flavors.")
    return _access_view(flavor_id, flavor["projects"])


@router.post("/{flavor_id}/action")
@validation.schema(schemas.access_action)
def action(flavor_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    if "addTenantAccess" in body:
        r.authorize(FA + ":add_tenant_access")
        projects = conductor.flavor_access_add(
            r.ctx, flavorid=flavor_id, project_id=body["addTenantAccess"]["tenant"])
    else:
        r.authorize(FA + ":remove_tenant_access")
        projects = conductor.flavor_access_remove(
            r.ctx, flavorid=flavor_id, project_id=body["removeTenantAccess"]["tenant"])
    return _access_view(flavor_id, projects)
