"""The last completed audit period, as Nova's last_completed_audit_period computes it."""
from __future__ import annotations

import datetime

import pytest

from stratus.audit_period import last_completed_audit_period

T = datetime.datetime


@pytest.mark.parametrize("unit,before,expected", [
    ("month", T(2024, 3, 15, 10), (T(2024, 2, 1), T(2024, 3, 1))),
    ("month", T(2024, 3, 1), (T(2024, 1, 1), T(2024, 2, 1))),           # its end is not past
    ("month", T(2024, 3, 1, 0, 0, 1), (T(2024, 2, 1), T(2024, 3, 1))),
    ("month", T(2024, 1, 10), (T(2023, 12, 1), T(2024, 1, 1))),
    ("month", T(2024, 2, 10), (T(2024, 1, 1), T(2024, 2, 1))),
    ("month@15", T(2024, 3, 20), (T(2024, 2, 15), T(2024, 3, 15))),
    ("month@15", T(2024, 3, 10), (T(2024, 1, 15), T(2024, 2, 15))),
    ("month@15", T(2024, 1, 10), (T(2023, 11, 15), T(2023, 12, 15))),
    ("year", T(2024, 6, 1), (T(2023, 1, 1), T(2024, 1, 1))),
    ("year", T(2024, 1, 1), (T(2022, 1, 1), T(2023, 1, 1))),
    ("year@3", T(2024, 6, 1), (T(2023, 3, 1), T(2024, 3, 1))),
    ("year@3", T(2024, 2, 1), (T(2022, 3, 1), T(2023, 3, 1))),
    ("day", T(2024, 3, 15, 10), (T(2024, 3, 14), T(2024, 3, 15))),
    ("day", T(2024, 3, 1), (T(2024, 2, 28), T(2024, 2, 29))),
    ("day@18", T(2024, 3, 15, 10), (T(2024, 3, 13, 18), T(2024, 3, 14, 18))),
    ("day@18", T(2024, 3, 15, 19), (T(2024, 3, 14, 18), T(2024, 3, 15, 18))),
    ("hour", T(2024, 3, 15, 10, 30), (T(2024, 3, 15, 9), T(2024, 3, 15, 10))),
    ("hour", T(2024, 3, 15, 10), (T(2024, 3, 15, 8), T(2024, 3, 15, 9))),
    ("hour@45", T(2024, 3, 15, 10, 30), (T(2024, 3, 15, 8, 45), T(2024, 3, 15, 9, 45))),
    ("hour", T(2024, 3, 15, 0, 10), (T(2024, 3, 14, 23), T(2024, 3, 15, 0))),
])
def test_last_completed_audit_period(unit: str, before: T, expected: tuple[T, T]) -> None:
    assert last_completed_audit_period(unit, before) == expected


def test_now_by_default_and_a_bad_unit() -> None:
    begin, end = last_completed_audit_period("day")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert end - begin == datetime.timedelta(days=1) and end <= now < end + (end - begin)
    with pytest.raises(ValueError, match="hour, day, month or year"):
        last_completed_audit_period("week")
