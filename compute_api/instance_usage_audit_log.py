"""/os-instance_usage_audit_log (admins): the compute hosts' instance usage audit of the
last completed audit period (`[DEFAULT] instance_usage_audit_period`), or of the last one
completed before a time (`/{before_timestamp}`, "%Y-%m-%d %H:%M:%S[.%f]"), in Nova's words.
Each compute agent records its audit in the task log when `[DEFAULT] instance_usage_audit`
is on. The work is in compute_api/service.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from compute_api import service
from compute_api.common import Req, req

router = APIRouter(prefix="/v2.1/os-instance_usage_audit_log")
P = "os_compute_api:os-instance-usage-audit-log:%s"


@router.get("")
def index(r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "list", {})
    return {"instance_usage_audit_logs": service.instance_usage_audit_log(r.ctx)}


@router.get("/{before_timestamp}")
def show(before_timestamp: str, r: Req = Depends(req)) -> dict[str, Any]:
    r.authorize(P % "show", {})
    before = service.audit_timestamp(before_timestamp)
    return {"instance_usage_audit_log": service.instance_usage_audit_log(r.ctx, before)}
