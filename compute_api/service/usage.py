"""Usage per project over a window (/os-simple-tenant-usage) and the compute hosts'
instance usage audit (/os-instance_usage_audit_log), as Nova computes and words them."""
from __future__ import annotations

import datetime
from typing import Any

from compute_api.service.clients import conductor
from stratus import exception
from stratus.audit_period import last_completed_audit_period
from stratus.config import CONF
from stratus.context import RequestContext

# The formats Nova's simple tenant usage accepts for `start` and `end`.
USAGE_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")
AUDIT_TASK = "instance_usage_audit"
COMPUTE_BINARY = "stratus-compute"


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def usage_time(raw: str | None, now: datetime.datetime) -> datetime.datetime:
    """`start` or `end` of a usage request (naive UTC); now when not given."""
    if not raw:
        return now
    for fmt in USAGE_TIME_FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt)
        except ValueError:
            pass
    raise exception.Invalid("Invalid datetime string: Datetime is in invalid format")


def usage_window(start: str | None, end: str | None,
                 now: datetime.datetime | None = None
                 ) -> tuple[datetime.datetime, datetime.datetime]:
    """The window a usage request asks for: start must come before end (either defaults
    to now, as in Nova); it ends now at the latest (a window that starts later is empty)."""
    now = now or utcnow()
    period_start, period_stop = usage_time(start, now), usage_time(end, now)
    if period_start > period_stop or (period_start == period_stop and (start or end)):
        raise exception.Invalid("Invalid start time. The start time cannot occur after "
                                "the end time.")
    return period_start, max(period_start, min(period_stop, now))


def usage_view_time(value: datetime.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def tenant_usages(ctx: RequestContext, period_start: datetime.datetime,
                  period_stop: datetime.datetime, *, project_id: str | None = None,
                  detailed: bool = True, limit: int | None = None,
                  marker: str | None = None) -> dict[str, Any]:
    """The usage of each project (or of `project_id`) in the window, from a page of the
    instances that ran then: {"tenant_usages": [...], "instances": N, "last_instance":
    uuid}; each usage carries the window's start and stop."""
    found = conductor.tenant_usage(ctx, period_start=period_start.isoformat(),
                                   period_stop=period_stop.isoformat(),
                                   project_id=project_id, detailed=detailed, limit=limit,
                                   marker=marker)
    window = {"start": usage_view_time(period_start), "stop": usage_view_time(period_stop)}
    found["tenant_usages"] = [{**u, **window} for u in found["tenant_usages"]]
    return found


def audit_timestamp(raw: str) -> datetime.datetime:
    """The `before` of /os-instance_usage_audit_log/{before_timestamp}."""
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in raw else "%Y-%m-%d %H:%M:%S"
    try:
        return datetime.datetime.strptime(raw, fmt)
    except ValueError:
        raise exception.Invalid(f"Invalid timestamp for date {raw}") from None


def audit_report(task_logs: list[dict[str, Any]], hosts: set[str],
                 begin: datetime.datetime, end: datetime.datetime) -> dict[str, Any]:
    """Nova's audit summary of a period from its task-log rows and the compute hosts."""
    seen = {t["host"] for t in task_logs}
    done = {t["host"] for t in task_logs if t["state"] == "DONE"}
    running = {t["host"] for t in task_logs if t["state"] == "RUNNING"}
    errors = sum(t["errors"] for t in task_logs)
    not_run = sorted(hosts - seen)
    done_of = "ALL" if len(done) == len(hosts) else f"{len(done)} of {len(hosts)}"
    return {"period_beginning": str(begin), "period_ending": str(end),
            "num_hosts": len(hosts), "num_hosts_done": len(done),
            "num_hosts_running": len(running), "num_hosts_not_run": len(not_run),
            "hosts_not_run": not_run,
            "total_instances": sum(t["task_items"] for t in task_logs),
            "total_errors": errors,
            "overall_status": f"{done_of} hosts done. {errors} errors.",
            "log": {t["host"]: {"state": t["state"], "instances": t["task_items"],
                                "errors": t["errors"], "message": t["message"]}
                    for t in task_logs}}


def instance_usage_audit_log(ctx: RequestContext,
                             before: datetime.datetime | None = None) -> dict[str, Any]:
    """The instance usage audit of the last audit period completed before `before` (now):
    which compute hosts (disabled ones too) recorded theirs, and what they found."""
    begin, end = last_completed_audit_period(CONF.instance_usage_audit_period, before)
    logs = conductor.task_log_get_all(ctx, task_name=AUDIT_TASK,
                                      period_beginning=begin.isoformat(),
                                      period_ending=end.isoformat())
    hosts = {s["host"] for s in conductor.service_list(ctx, binary=COMPUTE_BINARY)}
    return audit_report(logs, hosts, begin, end)
