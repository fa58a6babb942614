"""/flavors, their extra specs (os-extra_specs) and access lists (os-flavor-access)
(the work is in compute_api/service)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import extra_spec_validation, service
from compute_api.common import (Req, limit_and_marker, links, page, query_params,
                                refuse_unknown_query, req)
from compute_api.schemas import flavors as schemas
from stratus import exception
from stratus.api import validation
from stratus.api.validation import MAX_INT

# Query parameters of the flavor lists (from 2.75 any other is 400).
FLAVOR_LIST_PARAMS = {"is_public", "minRam", "minDisk", "sort_key", "sort_dir", "limit",
                      "marker"}
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
                 # 2.75: no swap is 0, not "".
                 "swap": flavor["swap"] or (0 if r.at_least(75) else ""),
                 "os-flavor-access:is_public": flavor["is_public"]})
    if not r.at_least(102):  # 2.102 drops the two
        body.update({"rxtx_factor": flavor["rxtx_factor"],
                     "OS-FLV-DISABLED:disabled": flavor["disabled"]})
    # 2.61: the extra specs, to those who may list them.
    if r.at_least(61) and r.can(ES % "index", {"project_id": r.ctx.project_id}):
        body["extra_specs"] = dict(flavor["extra_specs"] or {})
    return body


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
    if r.at_least(102) and sort_key == "rxtx_factor":
        raise exception.ValidationError(
            reason="Invalid input for query parameters sort_key. Value: rxtx_factor. "
                   "'rxtx_factor' is not one of the sort keys")
    flavors = service.list_flavors(
        r.ctx, is_public=_is_public_param(r), min_memory_mb=_int_param(r, "minRam"),
        min_root_gb=_int_param(r, "minDisk"), sort_key=sort_key, sort_dir=sort_dir,
        limit=limit, marker=marker, name=r.query.get("name") if r.at_least(102) else None)
    return page(r, "flavors", [view(r, f, detailed) for f in flavors], flavors, limit,
                "flavorid")


@router.get("")
@query_params(*FLAVOR_LIST_PARAMS, "name")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, FLAVOR_LIST_PARAMS | ({"name"} if r.at_least(102) else set()))
    return _list(r, detailed=False)


@router.get("/detail")
@query_params(*FLAVOR_LIST_PARAMS, "name")
def detail(r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, FLAVOR_LIST_PARAMS | ({"name"} if r.at_least(102) else set()))
    return _list(r, detailed=True)


@router.get("/{flavor_id}")
def show(flavor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize("os_compute_api:flavors")
    return {"flavor": view(r, service.get_flavor(r.ctx, flavor_id))}


@router.post("")
@validation.schema(schemas.create, "2.1", "2.54")
@validation.schema(schemas.create_v255, "2.55", "2.101")
@validation.schema(schemas.create_v2102, "2.102")
def create(body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(FM % "create")
    return {"flavor": view(r, service.create_flavor(r.ctx, body["flavor"]))}


@router.put("/{flavor_id}")
@validation.schema(schemas.update)
def update(flavor_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    """2.55: a flavor's description is the one thing that may change."""
    if not r.at_least(55):
        raise exception.NotFound("The resource could not be found.")
    r.authorize(FM % "update")
    flavor = service.update_flavor_description(r.ctx, flavor_id,
                                               body["flavor"]["description"])
    return {"flavor": view(r, flavor)}


@router.delete("/{flavor_id}", status_code=202)
def delete(flavor_id: str, r: Req = Depends(req)) -> Response:
    r.authorize(FM % "delete")
    service.delete_flavor(r.ctx, flavor_id)
    return Response(status_code=202)


# --- extra specs ---------------------------------------------------------------------

def _validate_specs(r: Req, specs: dict[str, Any]) -> None:
    """2.86: known extra specs must have valid values (Nova checks before the flavor
    is looked up, and before the key of a PUT is compared with its body)."""
    if r.at_least(86):
        extra_spec_validation.validate_all(specs)


@router.get("/{flavor_id}/os-extra_specs")
def specs_index(flavor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(ES % "index")
    return {"extra_specs": service.flavor_extra_specs(r.ctx, flavor_id)}


@router.post("/{flavor_id}/os-extra_specs")
@validation.schema(schemas.extra_specs)
def specs_create(flavor_id: str, body: Any = Body(None),
                 r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(ES % "create")
    _validate_specs(r, body["extra_specs"])
    return {"extra_specs": service.set_flavor_extra_specs(r.ctx, flavor_id,
                                                          body["extra_specs"])}


@router.get("/{flavor_id}/os-extra_specs/{key}")
def specs_show(flavor_id: str, key: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(ES % "show")
    return {key: service.flavor_extra_spec(r.ctx, flavor_id, key)}


@router.put("/{flavor_id}/os-extra_specs/{key}")
@validation.schema(schemas.extra_spec_item)
def specs_update(flavor_id: str, key: str, body: Any = Body(None),
                 r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(ES % "update")
    _validate_specs(r, body)
    if key not in body:
        raise exception.Invalid("Request body and URI mismatch")
    return service.set_flavor_extra_specs(r.ctx, flavor_id, body)


@router.delete("/{flavor_id}/os-extra_specs/{key}")
def specs_delete(flavor_id: str, key: str, r: Req = Depends(req)) -> Response:
    r.authorize(ES % "delete")
    service.delete_flavor_extra_spec(r.ctx, flavor_id, key)
    return Response(status_code=200)


# --- access -----------------------------------------------------------------------------

def _access_view(flavor_id: str, projects: list[str]) -> dict[str, Any]:
    return {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": p} for p in projects]}


@router.get("/{flavor_id}/os-flavor-access")
def access_index(flavor_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(FA)
    return _access_view(flavor_id, service.flavor_access_list(r.ctx, flavor_id))


@router.post("/{flavor_id}/action")
@validation.schema(schemas.access_action)
def action(flavor_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    if "addTenantAccess" in body:
        r.authorize(FA + ":add_tenant_access")
        projects = service.add_flavor_access(r.ctx, flavor_id,
                                             body["addTenantAccess"]["tenant"])
    else:
        r.authorize(FA + ":remove_tenant_access")
        projects = service.remove_flavor_access(r.ctx, flavor_id,
                                                body["removeTenantAccess"]["tenant"])
    return _access_view(flavor_id, projects)
