"""Audit periods, as Nova's `instance_usage_audit_period` names them: `hour`, `day`, `month`
or `year`, optionally with an offset (`day@18` begins each day at 18:00 UTC, `month@15` on
the 15th, `year@3` on March 1st). Shared by the compute agents' usage audit (which records
the last completed period) and the API that reports it."""
from __future__ import annotations

import datetime

UNITS = ("hour", "day", "month", "year")
PERIOD_REGEX = r"^(hour|month|day|year)(@([0-9]+))?$"


def _month_before(moment: datetime.datetime, day: int) -> datetime.datetime:
    year, month = (moment.year - 1, 12) if moment.month == 1 else (moment.year, moment.month - 1)
    return datetime.datetime(year, month, day)


def last_completed_audit_period(
        unit: str, before: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """(begin, end) of the period most recently completed before `before` (naive UTC; now
    when None). A period's end is the next one's beginning."""
    offset = 0
    if "@" in unit:
        unit, raw = unit.split("@", 1)
        offset = int(raw)
    if unit not in UNITS:
        raise ValueError("Time period must be hour, day, month or year")
    now = before if before is not None else \
        datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    if unit == "month":
        day = offset or 1
        end = datetime.datetime(now.year, now.month, day)
        if end >= now:
            end = _month_before(end, day)
        return _month_before(end, day), end
    if unit == "year":
        month = offset or 1
        end = datetime.datetime(now.year, month, 1)
        if end >= now:
            end = datetime.datetime(now.year - 1, month, 1)
        return datetime.datetime(end.year - 1, month, 1), end
    if unit == "day":
        end = datetime.datetime(now.year, now.month, now.day, offset)
        if end >= now:
            end -= datetime.timedelta(days=1)
        return end - datetime.timedelta(days=1), end
    end = now.replace(minute=offset, second=0, microsecond=0)
    if end >= now:
        end -= datetime.timedelta(hours=1)
    return end - datetime.timedelta(hours=1), end
