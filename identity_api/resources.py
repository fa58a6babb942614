"""/v3 projects, users, roles, grants, role assignments and the default domain."""
from __future__ import annotations

from typing import Any, Callable

from fastapi import APIRouter, Body, Depends, Request, Response

from conductor.rpcapi import ConductorAPI
from identity_api import schemas, views
from stratus import exception, policy
from stratus.api import auth
from stratus.api import validation
from stratus.context import RequestContext
from stratus.rpc import SharedClient

router = APIRouter(prefix="/v3")
conductor = SharedClient(ConductorAPI)
Ctx = Depends(auth.get_context)

KINDS: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]], dict[str, Any]]] = {
    "projects": ("project", views.project, schemas.project_create),
    "users": ("user", views.user, schemas.user_create),
    "roles": ("role", views.role, schemas.role_create),
}
UPDATES = {"projects": schemas.project_update, "users": schemas.user_update}
FILTERS = ("name", "domain_id", "enabled")


def _target(kind: str, ident: str) -> dict[str, Any]:
    return {f"target.{kind}.id": ident, "project_id": ident if kind == "project" else None}


def _filters(request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in FILTERS:
        value = request.query_params.get(key)
        if value is not None:
            out[key] = value.lower() in ("true", "1") if key == "enabled" else value
    return out


def _check_domain(values: dict[str, Any]) -> None:
    if values.get("domain_id") not in (None, "default"):
        raise exception.ValidationError(reason="Only the default domain exists.")


def _register(collection: str) -> None:
    kind, view, create_schema = KINDS[collection]

    @router.get(f"/{collection}", name=f"list_{collection}")
    def list_all(request: Request, ctx: RequestContext = Ctx) -> dict[str, Any]:
        policy.authorize(ctx, f"identity:list_{collection}", {})
        rows = conductor.identity_list(ctx, kind=kind, filters=_filters(request))
        return {collection: [view(r) for r in rows],
                "links": views.collection_links(collection)}

    @router.get(f"/{collection}/{{ident}}", name=f"get_{kind}")
    def get_one(ident: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
        policy.authorize(ctx, f"identity:get_{kind}", _target(kind, ident))
        return {kind: view(conductor.identity_get(ctx, kind=kind, ident=ident))}

    @router.post(f"/{collection}", status_code=201, name=f"create_{kind}")
    @validation.schema(create_schema)
    def create(body: Any = Body(None), ctx: RequestContext = Ctx) -> dict[str, Any]:
        policy.authorize(ctx, f"identity:create_{kind}", {})
        values = body[kind]
        _check_domain(values)
        keep = {"name", "description", "enabled", "password", "default_project_id", "email"}
        values = {k: v for k, v in values.items() if k in keep and v is not None}
        return {kind: view(conductor.identity_create(ctx, kind=kind, values=values))}

    @router.delete(f"/{collection}/{{ident}}", status_code=204, name=f"delete_{kind}")
    def delete(ident: str, ctx: RequestContext = Ctx) -> Response:
        policy.authorize(ctx, f"identity:delete_{kind}", _target(kind, ident))
        conductor.identity_delete(ctx, kind=kind, ident=ident)
        auth.revocations.expire()
        return Response(status_code=204)

    if collection in UPDATES:
        @router.patch(f"/{collection}/{{ident}}", name=f"update_{kind}")
        @validation.schema(UPDATES[collection])
        def update(ident: str, body: Any = Body(None),
                   ctx: RequestContext = Ctx) -> dict[str, Any]:
            policy.authorize(ctx, f"identity:update_{kind}", _target(kind, ident))
            values = body[kind]
            _check_domain(values)
            updated = conductor.identity_update(ctx, kind=kind, ident=ident, values=values)
            auth.revocations.expire()
            return {kind: view(updated)}


for _collection in KINDS:
    _register(_collection)


@router.get("/users/{user_id}/projects")
def user_projects(user_id: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
    policy.authorize(ctx, "identity:list_user_projects", {"target.user.id": user_id})
    conductor.identity_get(ctx, kind="user", ident=user_id)
    mine = {a["project_id"] for a in conductor.role_assignment_list(ctx, user_id=user_id)}
    projects = [p for p in conductor.identity_list(ctx, kind="project") if p["id"] in mine]
    return {"projects": [views.project(p) for p in projects],
            "links": views.collection_links(f"users/{user_id}/projects")}


# --- grants -----------------------------------------------------------------------

GRANT = "/projects/{project_id}/users/{user_id}/roles"


@router.get(GRANT)
def list_grants(project_id: str, user_id: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
    policy.authorize(ctx, "identity:list_role_assignments", {})
    ids = {a["role_id"] for a in conductor.role_assignment_list(
        ctx, user_id=user_id, project_id=project_id)}
    roles = [r for r in conductor.identity_list(ctx, kind="role") if r["id"] in ids]
    return {"roles": [views.role(r) for r in roles], "links": views.collection_links(
        f"projects/{project_id}/users/{user_id}/roles")}


@router.put(GRANT + "/{role_id}", status_code=204)
def add_grant(project_id: str, user_id: str, role_id: str,
              ctx: RequestContext = Ctx) -> Response:
    policy.authorize(ctx, "identity:create_grant", {})
    conductor.role_assignment_add(ctx, user_id=user_id, project_id=project_id, role_id=role_id)
    return Response(status_code=204)


@router.head(GRANT + "/{role_id}")
def check_grant(project_id: str, user_id: str, role_id: str,
                ctx: RequestContext = Ctx) -> Response:
    policy.authorize(ctx, "identity:list_role_assignments", {})
    found = conductor.role_assignment_list(ctx, user_id=user_id, project_id=project_id,
                                           role_id=role_id)
    return Response(status_code=204 if found else 404)


@router.delete(GRANT + "/{role_id}", status_code=204)
def remove_grant(project_id: str, user_id: str, role_id: str,
                 ctx: RequestContext = Ctx) -> Response:
    policy.authorize(ctx, "identity:revoke_grant", {})
    conductor.role_assignment_remove(ctx, user_id=user_id, project_id=project_id,
                                     role_id=role_id)
    auth.revocations.expire()
    return Response(status_code=204)


@router.get("/role_assignments")
def role_assignments(request: Request, ctx: RequestContext = Ctx) -> dict[str, Any]:
    params = request.query_params
    user_id = params.get("user.id")
    if user_id != ctx.user_id:
        policy.authorize(ctx, "identity:list_role_assignments", {})
    rows = conductor.role_assignment_list(
        ctx, user_id=user_id, project_id=params.get("scope.project.id"),
        role_id=params.get("role.id"), effective="effective" in params)
    names: dict[str, dict[str, str]] = {}
    if "include_names" in params:
        for kind in ("user", "project", "role"):
            names.update({r["id"]: r for r in conductor.identity_list(ctx, kind=kind)})
    out = []
    for row in rows:
        item = {"role": {"id": row["role_id"]}, "user": {"id": row["user_id"]},
                "scope": {"project": {"id": row["project_id"]}},
                "links": {"assignment": f"{views.base()}/projects/{row['project_id']}/users/"
                                        f"{row['user_id']}/roles/{row['role_id']}"}}
        for key, ident in (("role", row["role_id"]), ("user", row["user_id"])):
            if ident in names:
                item[key]["name"] = names[ident]["name"]
        if row["project_id"] in names:
            item["scope"]["project"]["name"] = names[row["project_id"]]["name"]
        out.append(item)
    return {"role_assignments": out, "links": views.collection_links("role_assignments")}


# --- domains ----------------------------------------------------------------------------

@router.get("/domains")
def domains(ctx: RequestContext = Ctx) -> dict[str, Any]:
    return {"domains": [views.domain()], "links": views.collection_links("domains")}


@router.get("/domains/{domain_id}")
def domain(domain_id: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
    if domain_id != "default":
        raise exception.DomainNotFound(domain_id=domain_id)
    return {"domain": views.domain()}
