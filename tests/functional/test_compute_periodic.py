"""The compute agent's periodic tasks: power state sync and image cache aging."""
from __future__ import annotations

import os
import pathlib
import time

from stratus.periodic import PeriodicTasks
from compute_agent.virt.libvirt.imagecache import ImageCache
from stratus.objects import states
from tests.functional.conftest import Cloud


def _manager(cloud: Cloud):  # type: ignore[no-untyped-def]
    return [s for s in cloud.services if s.binary == "stratus-compute"][0].endpoints[0]


def test_sync_makes_records_follow_guests(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.boot(admin, cloud.create_image(admin)["id"])["id"]
    cloud.wait_for_server(admin, sid)
    manager = _manager(cloud)
    manager.driver._guests[sid]["state"] = states.SHUTDOWN  # the guest powered itself off
    manager._sync_power_states()
    server = cloud.wait_for_server(admin, sid, until=("SHUTOFF",), timeout=5)
    assert server["OS-EXT-STS:power_state"] == states.SHUTDOWN
    manager.driver._guests[sid]["state"] = states.RUNNING  # started behind our back
    manager._sync_power_states()
    assert cloud.wait_for_server(admin, sid, until=("ACTIVE",), timeout=5)[
        "OS-EXT-STS:power_state"] == states.RUNNING


def test_image_cache_keeps_used_and_recent_images(tmp_path: pathlib.Path) -> None:
    cache = ImageCache(tmp_path)
    old = time.time() - 7200
    for name, mtime in (("used", old), ("stale", old), ("fresh", time.time()),
                        ("half.part", old)):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (mtime, mtime))
    assert cache.age({"used"}, max_age=3600) == ["stale"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "half.part", "used"]


def test_periodic_tasks_run_on_their_intervals() -> None:
    runs: list[str] = []
    tasks = PeriodicTasks("t")
    tasks.add(lambda: runs.append("fast"), 0.05)
    tasks.add(lambda: runs.append("slow"), 10)
    tasks.add(lambda: runs.append("never"), 0)
    tasks.start()
    time.sleep(0.3)
    tasks.stop()
    assert runs.count("fast") >= 3 and "slow" not in runs and "never" not in runs
