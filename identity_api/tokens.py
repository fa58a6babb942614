"""/v3/auth: issuing, validating and revoking tokens; the caller's catalog and projects
(the work is in identity_api/service)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from identity_api import schemas, service, views
from stratus import exception, policy
from stratus.api import auth
from stratus.api import validation
from stratus.context import RequestContext

router = APIRouter(prefix="/v3/auth")


@router.post("/tokens", status_code=201)
@validation.schema(schemas.auth)
def issue(response: Response, body: Any = Body(None)) -> dict[str, Any]:
    issued = service.issue_token(body["auth"]["identity"], body["auth"].get("scope"))
    response.headers["X-Subject-Token"] = issued["id"]
    return {"token": views.token(issued["payload"], issued["catalog"])}


def _subject(request: Request, ctx: RequestContext, action: str) -> dict[str, Any]:
    """The payload of the X-Subject-Token, once the caller may `action` it."""
    subject = request.headers.get("x-subject-token")
    if not subject:
        raise exception.NotFound("Could not find token: the X-Subject-Token header is "
                                 "missing.")
    payload = service.subject_payload(subject)
    policy.authorize(ctx, action, {"target.token.user_id": payload["user_id"]})
    return payload


@router.get("/tokens")
def validate_token(request: Request, response: Response,
                   ctx: RequestContext = Depends(auth.get_context)) -> dict[str, Any]:
    payload = _subject(request, ctx, "identity:validate_token")
    catalog = service.validate_token(ctx, payload)
    response.headers["X-Subject-Token"] = request.headers["x-subject-token"]
    return {"token": views.token(payload, catalog)}


@router.head("/tokens")
def check_token(request: Request, ctx: RequestContext = Depends(auth.get_context)) -> Response:
    payload = _subject(request, ctx, "identity:check_token")
    service.check_token(ctx, payload)
    return Response(status_code=200)


@router.delete("/tokens", status_code=204)
def revoke_token(request: Request, ctx: RequestContext = Depends(auth.get_context)) -> Response:
    payload = _subject(request, ctx, "identity:revoke_token")
    service.revoke_token(ctx, payload)
    return Response(status_code=204)


@router.get("/catalog")
def catalog(ctx: RequestContext = Depends(auth.get_context)) -> dict[str, Any]:
    return {"catalog": service.catalog(ctx),
            "links": {"self": views.base() + "/auth/catalog"}}


@router.get("/projects")
def my_projects(ctx: RequestContext = Depends(auth.get_context)) -> dict[str, Any]:
    projects = service.caller_projects(ctx)
    return {"projects": [views.project(p) for p in projects],
            "links": views.collection_links("auth/projects")}
