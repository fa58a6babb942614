"""The usage endpoint: what instances used over a time window, per project (Nova's simple
tenant usage), and the instance usage audit the compute agents run once per audit period,
recorded in the task log. The arithmetic is SQL, one statement per request
(conductor/compute/queries/usage.py)."""
from __future__ import annotations

import datetime
from typing import Any

from conductor.compute.queries import usage as queries
from conductor.rpcapi.compute import ComputeConductorAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target


def _time(value: str, name: str) -> datetime.datetime:
    """An ISO 8601 time as naive UTC."""
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise exception.Invalid(f"Invalid {name} time: {value!r}.") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def _period(beginning: str, ending: str,
            empty: bool = False) -> tuple[datetime.datetime, datetime.datetime]:
    """[beginning, ending) as datetimes; Invalid unless it begins before it ends (or, when
    `empty` windows are allowed, at its end)."""
    begin, end = _time(beginning, "beginning"), _time(ending, "ending")
    if begin > end or (begin == end and not empty):
        raise exception.Invalid("Invalid start time. The start time cannot occur after the "
                                "end time.")
    return begin, end


class UsageEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def tenant_usage(self, ctx: RequestContext, period_start: str, period_stop: str,
                     project_id: str | None = None, detailed: bool = True,
                     limit: int | None = None,
                     marker: str | None = None) -> dict[str, Any]:
        start, stop = _period(period_start, period_stop, empty=True)
        if limit is not None and limit < 0:
            raise exception.Invalid("limit param must be positive")
        return queries.tenant_usage(start, stop, project_id=project_id, detailed=detailed,
                                    limit=limit, marker=marker)

    def instance_usage_audit(self, ctx: RequestContext, host: str, period_beginning: str,
                             period_ending: str) -> dict[str, Any] | None:
        begin, end = _period(period_beginning, period_ending)
        try:
            return queries.record_usage_audit(host, begin, end)
        except exception.Duplicate:  # another conductor recorded it meanwhile
            return None

    def task_log_get_all(self, ctx: RequestContext, task_name: str, period_beginning: str,
                         period_ending: str) -> list[dict[str, Any]]:
        begin, end = _period(period_beginning, period_ending)
        return queries.task_logs(task_name, begin, end)
