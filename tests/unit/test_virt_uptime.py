"""The host uptime the virt drivers report: the line procps `uptime` prints."""
from __future__ import annotations

import pathlib
import re
import struct
import time

import pytest

from compute_agent.virt import driver
from compute_agent.virt.fake import FakeDriver

NOON = time.struct_time((2024, 1, 2, 12, 5, 9, 1, 2, 0))
LOAD = (0.33, 0.36, 0.341)


@pytest.mark.parametrize("seconds,users,expected", [
    (0, 0, " 12:05:09 up 0 min,  0 users,  load average: 0.33, 0.36, 0.34"),
    (59.9, 1, " 12:05:09 up 0 min,  1 user,  load average: 0.33, 0.36, 0.34"),
    (5 * 60 + 1, 2, " 12:05:09 up 5 min,  2 users,  load average: 0.33, 0.36, 0.34"),
    (3600, 1, " 12:05:09 up  1:00,  1 user,  load average: 0.33, 0.36, 0.34"),
    (2 * 3600 + 33 * 60, 3, " 12:05:09 up  2:33,  3 users,  load average: 0.33, 0.36, 0.34"),
    (86400 + 60, 0, " 12:05:09 up 1 day, 1 min,  0 users,  load average: 0.33, 0.36, 0.34"),
    (93 * 86400 + 18 * 3600 + 25 * 60, 12,
     " 12:05:09 up 93 days, 18:25, 12 users,  load average: 0.33, 0.36, 0.34"),
])
def test_uptime_line(seconds: float, users: int, expected: str) -> None:
    assert driver.uptime_line(seconds, users, LOAD, NOON) == expected


def test_the_fake_host_is_up_since_its_driver_started(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    fake = FakeDriver("h1")
    clock[0] += 2 * 3600 + 7 * 60
    line = fake.get_host_uptime()
    assert re.fullmatch(r" \d\d:\d\d:\d\d up  2:07,  0 users,  load average: "
                        r"0\.00, 0\.00, 0\.00", line), line


def test_a_driver_without_uptime_answers_501() -> None:
    from stratus import exception

    class Minimal(FakeDriver):
        get_host_uptime = driver.ComputeDriver.get_host_uptime
    with pytest.raises(exception.FeatureNotSupported) as caught:
        Minimal("h1").get_host_uptime()
    assert caught.value.code == 501 and "Minimal" in str(caught.value)


def test_libvirt_counts_logged_in_users(tmp_path: pathlib.Path) -> None:
    libvirt_driver = pytest.importorskip("compute_agent.virt.libvirt.driver")

    def record(ut_type: int, user: bytes) -> bytes:
        raw = bytearray(libvirt_driver.UTMP_RECORD)
        struct.pack_into("=h", raw, 0, ut_type)
        raw[libvirt_driver.UT_USER:libvirt_driver.UT_USER + len(user)] = user
        return bytes(raw)
    utmp = tmp_path / "utmp"
    utmp.write_bytes(record(2, b"reboot") + record(7, b"alice") + record(7, b"")
                     + record(8, b"bob") + record(7, b"carol") + b"\0" * 10)
    assert libvirt_driver.logged_in_users(utmp) == 2
    assert libvirt_driver.logged_in_users(tmp_path / "missing") == 0
