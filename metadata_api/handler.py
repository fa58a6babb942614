"""The metadata service's routes: the EC2 tree at /<version>/... (and /ec2/...), the
OpenStack tree at /openstack/<version>/... . Paths are normalised as Nova does (a trailing
slash or a doubled one changes nothing); every path but / is answered only for the
instance the request comes from (metadata_api/service)."""
from __future__ import annotations

import json
import posixpath
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from metadata_api import service
from stratus import exception, instance_metadata as tree
from stratus.config import CONF
from stratus.launcher import UNIX_SOCKET

router = APIRouter()
TEXT = "text/plain; charset=UTF-8"


def _text(body: str | bytes) -> Response:
    return Response(body, media_type=TEXT)


def _json(value: Any) -> Response:
    return Response(json.dumps(value), media_type="application/json")


def _lines(items: list[str]) -> Response:
    return _text("\n".join(items))


def _forwarded_for(request: Request) -> str | None:
    """The guest a proxy names: on the unix socket (a network agent's metadata proxy)
    exactly one address; behind a proxy trusted by use_forwarded_for, the address it
    appended last (those before it came from the client)."""
    values = request.headers.getlist("X-Forwarded-For")
    if request.scope.get(UNIX_SOCKET):
        if len(values) != 1 or "," in values[0]:
            raise exception.Invalid("A single X-Forwarded-For address is required.")
        return values[0].strip()
    if CONF.use_forwarded_for and values:
        return values[-1].split(",")[-1].strip()
    return None


def _caller(request: Request) -> service.Caller:
    """Who is asking: the connection's address, or the guest a trusted proxy names."""
    headers = request.headers
    address = _forwarded_for(request) or (request.client.host if request.client else None)
    instance_id = headers.get("X-Instance-ID")
    if instance_id is not None and headers.get("X-Tenant-ID") is None:
        raise exception.Invalid("X-Tenant-ID header is missing from request.")
    return service.Caller(address=address, instance_id=instance_id,
                          tenant_id=headers.get("X-Tenant-ID"),
                          signature=headers.get("X-Instance-ID-Signature"))


def _not_found() -> exception.NotFound:
    return exception.NotFound("The resource could not be found.")


@router.api_route("/{path:path}", methods=["GET", "POST"])
async def metadata(path: str, request: Request) -> Response:
    parts = [p for p in posixpath.normpath("/" + path).split("/") if p]
    if not parts:
        return _lines([*tree.EC2_VERSIONS, tree.LATEST])
    caller = _caller(request)
    instance = service.cached_guest(caller) or await run_in_threadpool(service.guest, caller)
    if parts[0] == "openstack":
        return await _openstack(instance, parts[1:], request)
    return _ec2(instance, parts[1:] if parts[0] == "ec2" else parts)


async def _openstack(instance: dict[str, Any], parts: list[str],
                     request: Request) -> Response:
    if not parts:
        return _lines([*tree.OPENSTACK_VERSIONS, tree.LATEST])
    listing = tree.openstack_listing(instance, parts[0])
    if listing is None or len(parts) > 2:
        raise _not_found()
    if len(parts) == 1:
        return _lines(listing)
    name = parts[1]
    if name not in listing:
        raise _not_found()
    if name == "password":
        return await _password(instance, request)
    if name == "user_data":
        return _text(tree.user_data(instance) or b"")
    document = tree.openstack_document(instance, parts[0], name)
    if name == "vendor_data2.json":
        document.update(await run_in_threadpool(service.dynamic_vendor_data, instance))
    return _json(document)


async def _password(instance: dict[str, Any], request: Request) -> Response:
    if request.method == "GET":
        return _text(instance.get("server_password") or "")
    body = b""
    async for chunk in request.stream():  # never more than the limit is kept
        body += chunk
        if len(body) > tree.MAX_PASSWORD:
            raise exception.Invalid("Request is too large.")
    await run_in_threadpool(service.post_password, instance, body)
    return _text("")


def _ec2(instance: dict[str, Any], parts: list[str]) -> Response:
    if not parts or tree.resolve(parts[0], tree.EC2_VERSIONS) is None:
        raise _not_found()
    version, rest = parts[0], parts[1:]
    data = tree.user_data(instance)
    if not rest:
        return _lines(["meta-data/", *(["user-data"] if data is not None else [])])
    if rest == ["user-data"]:
        if data is None:
            raise _not_found()
        return _text(data)
    if rest[0] != "meta-data":
        raise _not_found()
    node: Any = tree.ec2_meta_data(instance, version)
    for key in rest[1:]:
        if not isinstance(node, dict) or key not in node or key == "_name":
            raise _not_found()
        node = node[key]
    return _text(_render(node))


def _render(node: Any) -> str:
    """A dict as its sorted keys (a dict under one as `key/`, or its `_name`), a list
    as its lines, anything else as text."""
    if isinstance(node, dict):
        return "\n".join(
            (value.get("_name") or f"{key}/") if isinstance(value, dict) else key
            for key, value in sorted(node.items()) if key != "_name")
    if isinstance(node, list):
        return "\n".join(str(item) for item in node)
    return str(node)
