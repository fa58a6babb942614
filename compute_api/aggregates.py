"""/os-aggregates: host aggregates and the availability zones they define (admins)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from compute_api.common import Req, conductor, req
from compute_api.schemas import aggregates as schemas
from stratus import exception
from stratus.api import validation
from stratus.api.validation import MAX_INT, validate

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


def _id(aggregate_id: str) -> int:
    shown = aggregate_id[:64]
    try:
        ident = int(aggregate_id)
    except ValueError:
        raise exception.Invalid(f"Aggregate id {shown} must be an integer.") from None
    if not 0 <= ident <= MAX_INT:
        # No row has such an id; SQLite could not even compare it (past 64 bits).
        raise exception.AggregateNotFound(aggregate_id=shown)
    return ident


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "index")
    return {"aggregates": [view(r, a) for a in conductor.aggregate_list(r.ctx)]}


@router.post("")
@validation.schema(schemas.create)
def create(body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "create")
    values = body["aggregate"]
    aggregate = conductor.aggregate_create(r.ctx, name=values["name"],
                                           availability_zone=values.get("availability_zone"))
    return {"aggregate": view(r, aggregate, full=False)}


@router.get("/{aggregate_id}")
def show(aggregate_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "show")
    return {"aggregate": view(r, conductor.aggregate_get(r.ctx, aggregate_id=_id(aggregate_id)))}


@router.put("/{aggregate_id}")
@validation.schema(schemas.update)
def update(aggregate_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "update")
    aggregate = conductor.aggregate_update(r.ctx, aggregate_id=_id(aggregate_id),
                                           values=body["aggregate"])
    return {"aggregate": view(r, aggregate)}


@router.delete("/{aggregate_id}")
def delete(aggregate_id: str, r: Req = Depends(req)) -> Response:
    r.authorize(P % "delete")
    conductor.aggregate_delete(r.ctx, aggregate_id=_id(aggregate_id))
    return Response(status_code=200)


@router.post("/{aggregate_id}/action")
def action(aggregate_id: str, body: Any = Body(None), r: Req = Depends(req)) -> dict[str, Any]:
    ident = _id(aggregate_id)
    if not isinstance(body, dict) or len(body) != 1:
        raise exception.ValidationError(
            reason="The body must hold exactly one of add_host, remove_host, set_metadata.")
    name, args = next(iter(body.items()))
    if name in ("add_host", "remove_host"):
        r.authorize(P % name)
        validate(args, schemas.host)
        method = conductor.aggregate_add_host if name == "add_host" \
            else conductor.aggregate_remove_host
        aggregate = method(r.ctx, aggregate_id=ident, host=args["host"])
    elif name == "set_metadata":
        r.authorize(P % name)
        validate(args, schemas.set_metadata)
        aggregate = conductor.aggregate_set_metadata(r.ctx, aggregate_id=ident,
                                                     metadata=args["metadata"])
    else:
        raise exception.ValidationError(reason=f"Unknown aggregate action {name}.")
    return {"aggregate": view(r, aggregate)}
