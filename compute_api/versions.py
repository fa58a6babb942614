"""Version documents: GET / (v2.0 first, as Nova lists them), GET /v2 and GET /v2.1.

v2.0 is listed for clients that check for it; only its version document is served (the
v2.0 API itself is v2.1 without microversions in Nova, and clients use v2.1)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from compute_api.common import base_url
from compute_api.microversion import MAX_VERSION, MIN_VERSION, to_str

router = APIRouter()
UPDATED = "2013-07-23T11:33:21Z"
UPDATED_V20 = "2011-01-21T11:33:21Z"
MEDIA_TYPE = "application/vnd.openstack.compute+json;version={}"


def _v20(full: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "",
        "updated": UPDATED_V20, "links": [{"rel": "self", "href": f"{base_url()}/v2/"}]}
    return _full(doc, "2") if full else doc


def _full(doc: dict[str, Any], version: str) -> dict[str, Any]:
    doc["links"].append({"rel": "describedby", "type": "text/html",
                         "href": "https://docs.openstack.org/"})
    doc["media-types"] = [{"base": "application/json", "type": MEDIA_TYPE.format(version)}]
    return doc


def _v21(full: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "v2.1", "status": "CURRENT", "version": to_str(MAX_VERSION),
        "min_version": to_str(MIN_VERSION), "updated": UPDATED,
        "links": [{"rel": "self", "href": f"{base_url()}/v2.1/"}]}
    return _full(doc, "2.1") if full else doc


@router.get("/")
def root() -> JSONResponse:
    return JSONResponse({"versions": [_v20(full=False), _v21(full=False)]})


@router.get("/v2")
@router.get("/v2/")
def v20() -> dict[str, Any]:
    return {"version": _v20(full=True)}


@router.get("/v2.1")
@router.get("/v2.1/")
def v21() -> dict[str, Any]:
    return {"version": _v21(full=True)}
