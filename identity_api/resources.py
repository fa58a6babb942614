"""/v3 projects, users, roles, grants, role assignments and the default domain (the work
is in identity_api/service)."""
from __future__ import annotations

from typing import Any, Callable

from fastapi import APIRouter, Body, Depends, Request, Response

from identity_api import schemas, service, views
from stratus import policy
from stratus.api import auth
from stratus.api import validation
from stratus.context import RequestContext

router = APIRouter(prefix="/v3")
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


def _register(collection: str) -> None:
    kind, view, create_schema = KINDS[collection]

    @router.get(f"/{collection}", name=f"list_{collection}")
    def list_all(request: Request, ctx: RequestContext = Ctx) -> dict[str, Any]:
        policy.authorize(ctx, f"identity:list_{collection}", {})
        rows = service.list_entities(ctx, kind, _filters(request))
        return {collection: [view(r) for r in rows],
                "links": views.collection_links(collection)}

    @router.get(f"/{collection}/{{ident}}", name=f"get_{kind}")
    def get_one(ident: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
        policy.authorize(ctx, f"identity:get_{kind}", _target(kind, ident))
        return {kind: view(service.get_entity(ctx, kind, ident))}

    @router.post(f"/{collection}", status_code=201, name=f"create_{kind}")
    @validation.schema(create_schema)
    def create(body: Any = Body(None), ctx: RequestContext = Ctx) -> dict[str, Any]:
        policy.authorize(ctx, f"identity:create_{kind}", {})
        return {kind: view(service.create_entity(ctx, kind, body[kind]))}

    @router.delete(f"/{collection}/{{ident}}", status_code=204, name=f"delete_{kind}")
    def delete(ident: str, ctx: RequestContext = Ctx) -> Response:
        policy.authorize(ctx, f"identity:delete_{kind}", _target(kind, ident))
        service.delete_entity(ctx, kind, ident)
        return Response(status_code=204)

    if collection in UPDATES:
        @router.patch(f"/{collection}/{{ident}}", name=f"update_{kind}")
        @validation.schema(UPDATES[collection])
        def update(ident: str, body: Any = Body(None),
                   ctx: RequestContext = Ctx) -> dict[str, Any]:
            policy.authorize(ctx, f"identity:update_{kind}", _target(kind, ident))
            return {kind: view(service.update_entity(ctx, kind, ident, body[kind]))}


for _collection in KINDS:
    _register(_collection)


@router.get("/users/{user_id}/projects")
def user_projects(user_id: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
    policy.authorize(ctx, "identity:list_user_projects", {"target.user.id": user_id})
    projects = service.user_projects(ctx, user_id)
    return {"projects": [views.project(p) for p in projects],
            "links": views.collection_links(f"users/{user_id}/projects")}


# --- grants -----------------------------------------------------------------------

GRANT = "/projects/{project_id}/users/{user_id}/roles"


@router.get(GRANT)
def list_grants(project_id: str, user_id: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
    policy.authorize(ctx, "identity:list_role_assignments", {})
    roles = service.grant_roles(ctx, project_id, user_id)
    return {"roles": [views.role(r) for r in roles], "links": views.collection_links(
        f"projects/{project_id}/users/{user_id}/roles")}


@router.put(GRANT + "/{role_id}", status_code=204)
def add_grant(project_id: str, user_id: str, role_id: str,
              ctx: RequestContext = Ctx) -> Response:
    policy.authorize(ctx, "identity:create_grant", {})
    service.add_grant(ctx, project_id, user_id, role_id)
    return Response(status_code=204)


@router.head(GRANT + "/{role_id}")
def check_grant(project_id: str, user_id: str, role_id: str,
                ctx: RequestContext = Ctx) -> Response:
    policy.authorize(ctx, "identity:list_role_assignments", {})
    found = service.has_grant(ctx, project_id, user_id, role_id)
    return Response(status_code=204 if found else 404)


@router.delete(GRANT + "/{role_id}", status_code=204)
def remove_grant(project_id: str, user_id: str, role_id: str,
                 ctx: RequestContext = Ctx) -> Response:
    policy.authorize(ctx, "identity:revoke_grant", {})
    service.remove_grant(ctx, project_id, user_id, role_id)
    return Response(status_code=204)


@router.get("/role_assignments")
def role_assignments(request: Request, ctx: RequestContext = Ctx) -> dict[str, Any]:
    params = request.query_params
    user_id = params.get("user.id")
    if user_id != ctx.user_id:
        policy.authorize(ctx, "identity:list_role_assignments", {})
    rows = service.list_role_assignments(
        ctx, user_id=user_id, project_id=params.get("scope.project.id"),
        role_id=params.get("role.id"), effective="effective" in params,
        include_names="include_names" in params)
    return {"role_assignments": [views.role_assignment(row) for row in rows],
            "links": views.collection_links("role_assignments")}


# --- domains ----------------------------------------------------------------------------

@router.get("/domains")
def domains(ctx: RequestContext = Ctx) -> dict[str, Any]:
    return {"domains": [views.domain()], "links": views.collection_links("domains")}


@router.get("/domains/{domain_id}")
def domain(domain_id: str, ctx: RequestContext = Ctx) -> dict[str, Any]:
    service.get_domain(domain_id)
    return {"domain": views.domain()}
