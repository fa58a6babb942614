"""/os-aggregates: host aggregates and the availability zones they define (admins; the
work is in compute_api/service)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api import service
from compute_api.common import Req, req
from compute_api.schemas import aggregates as schemas
from stratus import exception
from stratus.api import validation
from stratus.api.validation import validate

router = APIRouter(prefix="/v2.1/os-aggregates")
P = "os_compute_api:os-aggregates:%s"


def view(r: Req, aggregate: dict[str, Any], full: bool = True) -> dict[str, Any]:
    body = {"id": aggregate["id"], "name": aggregate["name"],
            "availability_zone": aggregate["availability_zone"],
            "created_at": aggregate["created_at"], "updated_at": aggregate["updated_at"],
            "deleted": False, "deleted_at": None}
    if full:
        body["hosts"] = aggregate["hosts"]
        body["metadata"] = aggregate["metadata"]
    if r.at_least(41):
        body["uuid"] = aggregate["uuid"]
    return body


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "index")
    return {"aggregates": [view(r, a) for a in service.list_aggregates(r.ctx)]}


@router.post("")
@validation.schema(schemas.create)
def create(body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "create")
    values = body["aggregate"]
    aggregate = service.create_aggregate(r.ctx, values["name"],
                                         values.get("availability_zone"))
    return {"aggregate": view(r, aggregate, full=False)}


@router.get("/{aggregate_id}")
def show(aggregate_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "show")
    ident = service.parse_aggregate_id(aggregate_id)
    return {"aggregate": view(r, service.get_aggregate(r.ctx, ident))}


@router.put("/{aggregate_id}")
@validation.schema(schemas.update)
def update(aggregate_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "update")
    aggregate = service.update_aggregate(r.ctx, service.parse_aggregate_id(aggregate_id),
                                         body["aggregate"])
    return {"aggregate": view(r, aggregate)}


@router.delete("/{aggregate_id}")
def delete(aggregate_id: str, r: Req = Depends(req)) -> Response:
    r.authorize(P % "delete")
    service.delete_aggregate(r.ctx, service.parse_aggregate_id(aggregate_id))
    return Response(status_code=200)


@router.post("/{aggregate_id}/images")
@validation.schema(schemas.images)
def images(aggregate_id: str, body: Any = Body(None), r: Req = Depends(req)) -> Response:
    """2.81: have every host of the aggregate fetch these images into its cache."""
    if not r.at_least(81):
        raise exception.NotFound("The resource could not be found.")
    r.authorize("compute:aggregates:images")
    service.cache_aggregate_images(r.ctx, service.parse_aggregate_id(aggregate_id),
                                   [image["id"] for image in body["cache"]])
    return Response(status_code=202)


@router.post("/{aggregate_id}/action")
def action(aggregate_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    ident = service.parse_aggregate_id(aggregate_id)
    if not isinstance(body, dict) or len(body) != 1:
        raise exception.ValidationError(
            reason="The body must hold exactly one of add_host, remove_host, set_metadata.")
    name, args = next(iter(body.items()))
    if name in ("add_host", "remove_host"):
        r.authorize(P % name)
        validate(args, schemas.host)
        change = service.add_aggregate_host if name == "add_host" \
            else service.remove_aggregate_host
        aggregate = change(r.ctx, ident, args["host"])
    elif name == "set_metadata":
        r.authorize(P % name)
        validate(args, schemas.set_metadata)
        aggregate = service.set_aggregate_metadata(r.ctx, ident, args["metadata"])
    else:
        raise exception.ValidationError(reason=f"Unknown aggregate action {name}.")
    return {"aggregate": view(r, aggregate)}
