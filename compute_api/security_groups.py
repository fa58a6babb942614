"""nova-network's security groups on the compute API: /os-security-groups,
/os-security-group-rules and /os-security-group-default-rules (admins) from 2.1 to 2.35
(404 from 2.36, as Nova's proxy APIs), and at every version a server's groups
(/servers/{id}/os-security-groups) and its addSecurityGroup / removeSecurityGroup
actions. Ids are integers. The work is in compute_api/service/security_groups.py."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api.common import Req, offset_and_limit, query_params, req
from compute_api.networks import nova_network_req
from compute_api.server_actions import action
from compute_api.servers import get_instance, target
from compute_api.service import security_groups as service

router = APIRouter(prefix="/v2.1")
P = "os_compute_api:os-security-groups:%s"
DEFAULT_RULES = "os_compute_api:os-security-group-default-rules"


# --- views (Nova's _format_security_group*) -------------------------------------------

def rule_view(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule: from a source group (`group` its name and project) or from a range
    (`ip_range`)."""
    sourced = rule["group_id"] is not None
    return {"id": rule["id"], "parent_group_id": rule["parent_group_id"],
            "ip_protocol": rule["protocol"], "from_port": rule["from_port"],
            "to_port": rule["to_port"],
            "group": (rule["group"] or {}) if sourced else {},
            "ip_range": {} if sourced else {"cidr": rule["cidr"]}}


def group_view(group: dict[str, Any]) -> dict[str, Any]:
    return {"id": group["id"], "name": group["name"], "description": group["description"],
            "tenant_id": group["project_id"],
            "rules": [rule_view(r) for r in group["rules"]
                      if r["group_id"] is None or r["group"] is not None]}


def default_rule_view(rule: dict[str, Any]) -> dict[str, Any]:
    return {"id": rule["id"], "ip_protocol": rule["protocol"],
            "from_port": rule["from_port"], "to_port": rule["to_port"],
            "ip_range": {"cidr": rule["cidr"]}}


def _sorted(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((group_view(g) for g in groups), key=lambda g: (g["tenant_id"], g["name"]))


def _own(r: Req) -> dict[str, Any]:
    return {"project_id": r.ctx.project_id}


# --- /os-security-groups ------------------------------------------------------------

@router.get("/os-security-groups")
@query_params("limit", "offset", "all_tenants")
def index(r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P % "get", _own(r))
    offset, limit = offset_and_limit(r)
    groups = service.list_security_groups(r.ctx, "all_tenants" in r.query)
    return {"security_groups": _sorted(groups[offset:offset + limit])}


@router.post("/os-security-groups")
def create(body: Any = Body(None), r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P % "create", _own(r))
    return {"security_group": group_view(service.create_security_group(r.ctx, body))}


@router.get("/os-security-groups/{group_id}")
def show(group_id: str, r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P % "show", _own(r))
    return {"security_group": group_view(service.get_security_group(r.ctx, group_id))}


@router.put("/os-security-groups/{group_id}")
def update(group_id: str, body: Any = Body(None),
           r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P % "update", _own(r))
    return {"security_group": group_view(service.update_security_group(r.ctx, group_id,
                                                                       body))}


@router.delete("/os-security-groups/{group_id}", status_code=202)
def delete(group_id: str, r: Req = Depends(nova_network_req)) -> Response:
    r.authorize(P % "delete", _own(r))
    service.delete_security_group(r.ctx, group_id)
    return Response(status_code=202)


# --- /os-security-group-rules ---------------------------------------------------------

@router.post("/os-security-group-rules")
def rule_create(body: Any = Body(None),
                r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(P % "rule:create", _own(r))
    return {"security_group_rule": rule_view(service.create_security_group_rule(r.ctx,
                                                                                body))}


@router.delete("/os-security-group-rules/{rule_id}", status_code=202)
def rule_delete(rule_id: str, r: Req = Depends(nova_network_req)) -> Response:
    r.authorize(P % "rule:delete", _own(r))
    service.delete_security_group_rule(r.ctx, rule_id)
    return Response(status_code=202)


# --- /os-security-group-default-rules (admins) -----------------------------------------

@router.get("/os-security-group-default-rules")
def default_index(r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(DEFAULT_RULES)
    return {"security_group_default_rules": [default_rule_view(x) for x in
                                             service.list_default_rules(r.ctx)]}


@router.post("/os-security-group-default-rules")
def default_create(body: Any = Body(None),
                   r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(DEFAULT_RULES)
    return {"security_group_default_rule": default_rule_view(
        service.create_default_rule(r.ctx, body))}


@router.get("/os-security-group-default-rules/{rule_id}")
def default_show(rule_id: str, r: Req = Depends(nova_network_req)) -> dict[str, Any]:
    r.authorize(DEFAULT_RULES)
    return {"security_group_default_rule": default_rule_view(
        service.get_default_rule(r.ctx, rule_id))}


@router.delete("/os-security-group-default-rules/{rule_id}", status_code=204)
def default_delete(rule_id: str, r: Req = Depends(nova_network_req)) -> Response:
    r.authorize(DEFAULT_RULES)
    service.delete_default_rule(r.ctx, rule_id)
    return Response(status_code=204)


# --- a server's groups (every version) ---------------------------------------------

@router.get("/servers/{server_id}/os-security-groups")
def server_index(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    inst = get_instance(r, server_id)
    r.authorize(P % "list", target(inst))
    return {"security_groups": _sorted(service.server_security_groups(r.ctx, inst))}


@action("addSecurityGroup")
def add_security_group(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize(P % "add", target(inst))
    service.add_server_security_group(r.ctx, inst, body)
    return Response(status_code=202)


@action("removeSecurityGroup")
def remove_security_group(r: Req, inst: dict[str, Any], body: dict[str, Any]) -> Response:
    r.authorize(P % "remove", target(inst))
    service.remove_server_security_group(r.ctx, inst, body)
    return Response(status_code=202)
