"""/servers/{id}/tags (2.26): list, replace and clear a server's tags, and check, add or
remove one. The work is in compute_api/service."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Response

from compute_api import service
from compute_api.common import Req, base_url, req
from compute_api.schemas import tags as schemas
from compute_api.servers import get_instance, target
from stratus import exception
from stratus.api import validation

router = APIRouter(prefix="/v2.1/servers/{server_id}/tags")
P = "os_compute_api:os-server-tags:%s"


def _server(r: Req, server_id: str, rule: str) -> dict[str, Any]:
    if not r.at_least(26):
        raise exception.NotFound("The resource could not be found.")
    inst = get_instance(r, server_id)
    r.authorize(P % rule, target(inst))
    return inst


def _check_tag(tag: str) -> None:
    """A tag (in the URL or a body) obeys the schema's rules and is text (no lone UTF-16
    surrogates, which no database or header can carry)."""
    validation.validate(tag, schemas.TAG)
    try:
        tag.encode("utf-8")
    except UnicodeEncodeError:
        raise exception.ValidationError(reason=f"Invalid tag {tag!r}: not text.") from None


@router.get("")
def index(server_id: str, r: Req = Depends(req)) -> dict[str, Any]:
    return {"tags": list(_server(r, server_id, "index")["tags"] or [])}


@router.put("")
@validation.schema(schemas.update_all)
def update_all(server_id: str, body: Any = Body(None),
               r: Req = Depends(req)) -> dict[str, Any]:
    inst = _server(r, server_id, "update_all")
    for tag in body["tags"]:
        _check_tag(tag)
    return {"tags": service.replace_tags(r.ctx, inst, body["tags"])}


@router.delete("", status_code=204)
def delete_all(server_id: str, r: Req = Depends(req)) -> Response:
    service.replace_tags(r.ctx, _server(r, server_id, "delete_all"), [])
    return Response(status_code=204)


@router.get("/{tag}")
def show(server_id: str, tag: str, r: Req = Depends(req)) -> Response:
    service.require_tag(_server(r, server_id, "show"), tag)
    return Response(status_code=204)


@router.put("/{tag}")
def update(server_id: str, tag: str, r: Req = Depends(req)) -> Response:
    inst = _server(r, server_id, "update")
    _check_tag(tag)
    if not service.add_tag(r.ctx, inst, tag):
        return Response(status_code=204)
    location = f"{base_url()}/v2.1/servers/{inst['uuid']}/tags/{quote(tag, safe='')}"
    return Response(status_code=201, headers={"Location": location})


@router.delete("/{tag}", status_code=204)
def delete(server_id: str, tag: str, r: Req = Depends(req)) -> Response:
    service.remove_tag(r.ctx, _server(r, server_id, "delete"), tag)
    return Response(status_code=204)
