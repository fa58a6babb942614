"""/extensions: Nova's fixed list of v2.1 extension documents (compute_api/extension_list.py),
for any caller; an extension is named by its alias."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api.common import Req, req
from compute_api.extension_list import DOCUMENTS
from stratus import exception

router = APIRouter(prefix="/v2.1/extensions")
P = "os_compute_api:extensions"


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P)
    return {"extensions": list(DOCUMENTS.values())}


@router.get("/{alias}")
def show(alias: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P)
    if alias not in DOCUMENTS:
        raise exception.NotFound("The resource could not be found.")
    return {"extension": DOCUMENTS[alias]}
