"""The scrubber: the data, then the record, of images the compute API's image proxy
discarded; and how it runs beside the image API."""
from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

from image_api import app, service, store
from stratus import launcher
from stratus.config import CONF
from tests.unit.image_service.fakes import FakeConductor, install

IDS = [f"00000000-0000-0000-0000-{n:012d}" for n in range(5)]


@pytest.fixture(autouse=True)
def store_dir(tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    CONF.set_override("store_dir", str(tmp_path / "images"), group="image")
    yield tmp_path / "images"
    CONF.clear_override("store_dir", group="image")


def stored(image_id: str, partial: bool = False) -> None:
    with open(store.path_of(image_id) + (".partial" if partial else ""), "wb") as f:
        f.write(b"data")


def test_scrub_removes_data_then_records_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    discarded = list(IDS[:3])
    for image_id in IDS:
        stored(image_id)
    stored(IDS[1], partial=True)
    order: list[tuple[str, str, bool]] = []

    def listed(limit: int) -> list[str]:
        return discarded[:limit]

    def purge(image_id: str) -> None:
        order.append(("purge", image_id, store.size_of(image_id) is None))
        discarded.remove(image_id)
    conductor = install(monkeypatch, FakeConductor(image_discarded_list=listed,
                                                   image_purge=purge))
    assert service.scrub(batch=2) == 3
    # Each record goes once its data is gone; the batches stop at a short one.
    assert order == [("purge", i, True) for i in IDS[:3]]
    assert [kw for name, kw in conductor.calls if name == "image_discarded_list"] == [
        {"limit": 2}, {"limit": 2}]
    assert all(store.size_of(i) is None for i in IDS[:3])
    assert not pathlib.Path(store.path_of(IDS[1]) + ".partial").exists()
    assert [store.size_of(i) for i in IDS[3:]] == [4, 4]


def test_the_image_api_runs_the_scrubber_beside_its_api(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    [scrubber] = app.PLUGIN.background()
    assert scrubber._tasks == [(service.scrub, CONF.image.scrub_interval)]
    CONF.set_override("scrub_interval", 0, group="image")
    try:
        [disabled] = app.PLUGIN.background()
        assert disabled._tasks == []
    finally:
        CONF.clear_override("scrub_interval", group="image")


class Task:
    def __init__(self, log: list[str], name: str) -> None:
        self.log, self.name = log, name

    def start(self) -> None:
        self.log.append(f"start {self.name}")

    def stop(self) -> None:
        self.log.append(f"stop {self.name}")


def test_background_work_runs_while_the_apis_are_served(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    log: list[str] = []
    monkeypatch.setattr(launcher, "serve_apis", lambda apis: log.append("serve"))
    monkeypatch.setattr(launcher, "stop_all", lambda services: log.append("stop services"))
    apis: list[Any] = [("image", None, "127.0.0.1", 1)]
    launcher.run_services([], apis, [Task(log, "a"), Task(log, "b")])
    assert log == ["start a", "start b", "serve", "stop b", "stop a", "stop services"]
