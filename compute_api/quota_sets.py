"""/os-quota-sets, /os-quota-class-sets and /limits (seed 5.1.2; the work is in
compute_api/service)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import service
from compute_api.common import Req, query_params, refuse_unknown_query, req
from compute_api.schemas.quotas import update_schema
from stratus.api import validation

router = APIRouter(prefix="/v2.1")
Q = "os_compute_api:os-quota-sets:%s"
QC = "os_compute_api:os-quota-class-sets:%s"

BASE = ("instances", "cores", "ram", "key_pairs", "metadata_items", "server_groups",
        "server_group_members")
PERSONALITY = ("injected_files", "injected_file_content_bytes", "injected_file_path_bytes")
NETWORK_PROXY = ("floating_ips", "fixed_ips", "security_groups", "security_group_rules")


def resources_at(version: tuple[int, int], for_class: bool = False) -> tuple[str, ...]:
    """The resources a quota (class) set shows at `version`."""
    names: tuple[str, ...] = BASE
    if for_class and version < (2, 50):
        names = tuple(n for n in BASE if not n.startswith("server_group"))
    if version < (2, 57):
        names += PERSONALITY
    if version < (2, 36) or (for_class and version < (2, 50)):
        names += NETWORK_PROXY
    return names


def quota_resources(r: Req, for_class: bool = False) -> tuple[str, ...]:
    return resources_at(r.version, for_class)


def _class_settable(version: tuple[int, int]) -> tuple[str, ...]:
    # Before 2.50 the server group limits are settable though not shown (as in Nova).
    return tuple(dict.fromkeys(resources_at(version, True) + BASE))


SET_SCHEMAS = {v: update_schema(resources_at(v), "quota_set", with_force=True)
               for v in ((2, 1), (2, 36), (2, 57))}
CLASS_SCHEMAS = {v: update_schema(_class_settable(v), "quota_class_set", with_force=False)
                 for v in ((2, 1), (2, 36), (2, 50), (2, 57))}


def _target(project_id: str) -> dict[str, Any]:
    return {"project_id": project_id}


@router.get("/os-quota-sets/{project_id}")
@query_params("user_id")
def show(project_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, {"user_id"})
    r.authorize(Q % "show", _target(project_id))
    limits = service.quota_limits(r.ctx, project_id)
    return {"quota_set": {"id": project_id,
                          **{k: limits[k] for k in quota_resources(r)}}}


@router.get("/os-quota-sets/{project_id}/defaults")
def defaults(project_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(Q % "defaults", _target(project_id))
    limits = service.default_quotas(r.ctx)
    return {"quota_set": {"id": project_id,
                          **{k: limits[k] for k in quota_resources(r)}}}


@router.get("/os-quota-sets/{project_id}/detail")
@query_params("user_id")
def detail(project_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, {"user_id"})
    r.authorize(Q % "detail", _target(project_id))
    usage = service.quota_usage(r.ctx, project_id, r.query.get("user_id"))
    return {"quota_set": {"id": project_id,
                          **{k: usage[k] for k in quota_resources(r)}}}


@router.put("/os-quota-sets/{project_id}")
@query_params("user_id")
@validation.schema(SET_SCHEMAS[(2, 1)], "2.1", "2.35")
@validation.schema(SET_SCHEMAS[(2, 36)], "2.36", "2.56")
@validation.schema(SET_SCHEMAS[(2, 57)], "2.57")
def update(project_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, {"user_id"})
    r.authorize(Q % "update", _target(project_id))
    resources = quota_resources(r)
    limits = service.update_quotas(r.ctx, project_id, body["quota_set"])
    return {"quota_set": {k: limits[k] for k in resources}}


@router.delete("/os-quota-sets/{project_id}", status_code=202)
@query_params("user_id")
def revert(project_id: str, r: Req = Depends(req)) -> Response:
    refuse_unknown_query(r, {"user_id"})
    r.authorize(Q % "delete", _target(project_id))
    service.delete_quotas(r.ctx, project_id)
    return Response(status_code=202)


@router.get("/os-quota-class-sets/{class_name}")
def class_show(class_name: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(QC % "show")
    limits = service.quota_class(r.ctx, class_name)
    return {"quota_class_set": {"id": class_name,
                                **{k: limits[k] for k in quota_resources(r, True)}}}


@router.put("/os-quota-class-sets/{class_name}")
@validation.schema(CLASS_SCHEMAS[(2, 1)], "2.1", "2.35")
@validation.schema(CLASS_SCHEMAS[(2, 36)], "2.36", "2.49")
@validation.schema(CLASS_SCHEMAS[(2, 50)], "2.50", "2.56")
@validation.schema(CLASS_SCHEMAS[(2, 57)], "2.57")
def class_update(class_name: str, body: Any = Body(None),
                 r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(QC % "update")
    resources = quota_resources(r, True)
    limits = service.update_quota_class(r.ctx, class_name, body["quota_class_set"])
    return {"quota_class_set": {k: limits[k] for k in resources}}


@router.get("/limits")
@query_params("tenant_id")
def limits(r: Req = Depends(req)) -> dict[str, Any]:
    refuse_unknown_query(r, {"tenant_id"})
    r.authorize("os_compute_api:limits")
    project_id = r.ctx.project_id
    requested = r.query.get("tenant_id")
    if requested and requested != project_id:
        r.authorize("os_compute_api:limits:other_project")
        project_id = requested
    usage = service.limits_usage(r.ctx, project_id)
    absolute = {
        "maxServerMeta": usage["metadata_items"]["limit"],
        "maxTotalKeypairs": usage["key_pairs"]["limit"],
        "maxServerGroups": usage["server_groups"]["limit"],
        "maxServerGroupMembers": usage["server_group_members"]["limit"],
        "maxTotalCores": usage["cores"]["limit"],
        "maxTotalInstances": usage["instances"]["limit"],
        "maxTotalRAMSize": usage["ram"]["limit"],
        "totalCoresUsed": usage["cores"]["in_use"],
        "totalInstancesUsed": usage["instances"]["in_use"],
        "totalRAMUsed": usage["ram"]["in_use"],
        "totalServerGroupsUsed": usage["server_groups"]["in_use"],
    }
    if not r.at_least(57):
        absolute["maxPersonality"] = usage["injected_files"]["limit"]
        absolute["maxPersonalitySize"] = usage["injected_file_content_bytes"]["limit"]
    if not r.at_least(39):
        absolute["maxImageMeta"] = usage["metadata_items"]["limit"]
    if not r.at_least(36):
        absolute.update({
            "maxSecurityGroups": usage["security_groups"]["limit"],
            "maxSecurityGroupRules": usage["security_group_rules"]["limit"],
            "maxTotalFloatingIps": usage["floating_ips"]["limit"],
            "totalFloatingIpsUsed": usage["floating_ips"]["in_use"],
            "totalSecurityGroupsUsed": usage["security_groups"]["in_use"]})
    return {"limits": {"rate": [], "absolute": absolute}}
