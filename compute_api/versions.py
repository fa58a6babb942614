"""Version documents: GET / and GET /v2.1."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from compute_api.common import base_url
from compute_api.microversion import MAX_VERSION, MIN_VERSION, to_str

router = APIRouter()
UPDATED = "2013-07-23T11:33:21Z"


def _v21(full: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "v2.1", "status": "CURRENT", "version": to_str(MAX_VERSION),
        "min_version": to_str(MIN_VERSION), "updated": UPDATED,
        "links": [{"rel": "self", "href": f"{base_url()}/v2.1/"}]}
    if full:
        doc["links"].append({"rel": "describedby", "type": "text/html",
                             "href": "https://docs.openstack.org/"})
        doc["media-types"] = [{"base": "application/json",
                               "type": "application/vnd.openstack.compute+json;version=2.1"}]
    return doc


@router.get("/")
def root() -> JSONResponse:
    return JSONResponse({"versions": [_v21(full=False)]})


@router.get("/v2.1")
@router.get("/v2.1/")
def v21() -> dict[str, Any]:
    return {"version": _v21(full=True)}
