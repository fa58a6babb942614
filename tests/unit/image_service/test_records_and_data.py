"""Image records and the upload state transitions in the service layer, with a fake
conductor and a store in a temporary directory."""
from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

from image_api import service, store
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from tests.unit.image_service.fakes import FakeConductor, install

CTX = RequestContext(user_id="u1", project_id="p1", roles=["member", "reader"])
IMAGE_ID = "6c2ab1e5-9a9b-4e4b-8c2f-0d6a3f6e1b27"
QUEUED_ROW = {"id": IMAGE_ID, "status": "queued", "disk_format": "raw",
              "container_format": "bare", "checksum": None}


@pytest.fixture(autouse=True)
def store_dir(tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    CONF.set_override("store_dir", str(tmp_path / "images"), group="image")
    yield tmp_path / "images"
    CONF.clear_override("store_dir", group="image")


def fake(monkeypatch: pytest.MonkeyPatch, **answers: Any) -> FakeConductor:
    answers.setdefault("image_update", lambda image_id, values, **_: {"id": image_id,
                                                                      **values})
    return install(monkeypatch, FakeConductor(**answers))


def test_create_image_is_queued(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = fake(monkeypatch, image_create=lambda values: values)
    row = service.create_image(CTX, {"name": "x", "owner": "p1", "hw_x": "1"})
    assert row == {"name": "x", "owner": "p1", "properties": {"hw_x": "1"},
                   "status": "queued"}
    assert conductor.names() == ["image_create"]


def test_update_image_keeps_id_and_owner(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = fake(monkeypatch)
    service.update_image(CTX, IMAGE_ID, {"id": IMAGE_ID, "owner": "p1", "name": "y",
                                         "hw_x": "2"})
    assert conductor.calls == [("image_update", {
        "image_id": IMAGE_ID, "values": {"name": "y", "properties": {"hw_x": "2"}}})]


def test_list_images(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = fake(monkeypatch, image_list=[{"id": IMAGE_ID}])
    assert service.list_images(CTX, {"os_hidden": False}, [("name", "asc")], 5, "m") == [
        {"id": IMAGE_ID}]
    assert conductor.calls == [("image_list", {"filters": {"os_hidden": False},
                                               "sort": [("name", "asc")], "limit": 5,
                                               "marker": "m"})]


def test_delete_image_removes_record_then_data(monkeypatch: pytest.MonkeyPatch) -> None:
    path = store.path_of(IMAGE_ID)
    for name in (path, path + ".partial"):
        with open(name, "wb") as f:
            f.write(b"x")
    conductor = fake(monkeypatch, image_delete={"id": IMAGE_ID})
    service.delete_image(CTX, IMAGE_ID)
    assert conductor.names() == ["image_delete"]
    assert not os.path.exists(path) and not os.path.exists(path + ".partial")


def test_a_failed_record_delete_keeps_the_data(monkeypatch: pytest.MonkeyPatch) -> None:
    path = store.path_of(IMAGE_ID)
    with open(path, "wb") as f:
        f.write(b"x")
    fake(monkeypatch, image_delete=exception.ImageNotFound(image_id=IMAGE_ID))
    with pytest.raises(exception.ImageNotFound):
        service.delete_image(CTX, IMAGE_ID)
    assert os.path.exists(path)


@pytest.mark.parametrize("disk_format,container_format", [
    (None, "bare"), ("raw", None), (None, None), ("", "bare")])
def test_an_upload_needs_both_formats(monkeypatch: pytest.MonkeyPatch,
                                      disk_format: str | None,
                                      container_format: str | None) -> None:
    conductor = fake(monkeypatch)
    row = {**QUEUED_ROW, "disk_format": disk_format, "container_format": container_format}
    with pytest.raises(exception.Invalid, match="must be set prior to saving data"):
        service.begin_upload(CTX, IMAGE_ID, row)
    assert conductor.calls == []


def statuses(conductor: FakeConductor) -> list[tuple[str, list[str]]]:
    """The status each image_update set, and the status it expected."""
    return [(kwargs["values"]["status"], kwargs["expected_status"])
            for name, kwargs in conductor.calls if name == "image_update"]


def test_an_upload_goes_queued_saving_active(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = fake(monkeypatch)
    upload = service.begin_upload(CTX, IMAGE_ID, QUEUED_ROW)
    assert statuses(conductor) == [("saving", ["queued"])]
    upload.write(b"\0" * 1000)
    row = service.finish_upload(CTX, IMAGE_ID, upload)
    assert statuses(conductor) == [("saving", ["queued"]), ("active", ["saving"])]
    assert row["size"] == 1000 and row["virtual_size"] == 1000
    assert row["checksum"] and row["os_hash_algo"] == "sha512"
    assert store.size_of(IMAGE_ID) == 1000


def test_an_abandoned_upload_is_queued_again(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = fake(monkeypatch)
    upload = service.begin_upload(CTX, IMAGE_ID, QUEUED_ROW)
    upload.write(b"partial")
    service.abandon_upload(CTX, IMAGE_ID, upload)
    assert statuses(conductor) == [("saving", ["queued"]), ("queued", ["saving"])]
    assert store.size_of(IMAGE_ID) is None
    assert not os.path.exists(store.path_of(IMAGE_ID) + ".partial")


def test_an_upload_that_cannot_be_stored_is_abandoned(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = fake(monkeypatch)
    upload = service.begin_upload(CTX, IMAGE_ID, QUEUED_ROW)

    def broken() -> dict[str, object]:
        raise OSError("disk full")
    monkeypatch.setattr(upload, "commit", broken)
    with pytest.raises(OSError, match="disk full"):
        service.finish_upload(CTX, IMAGE_ID, upload)
    assert statuses(conductor) == [("saving", ["queued"]), ("queued", ["saving"])]


def test_an_upload_of_an_image_no_longer_queued(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, image_update=exception.Conflict(reason="not queued"))
    with pytest.raises(exception.Conflict):
        service.begin_upload(CTX, IMAGE_ID, QUEUED_ROW)
    assert not os.path.exists(store.path_of(IMAGE_ID) + ".partial")


@pytest.mark.parametrize("status,stored,has_data", [
    ("active", True, True), ("active", False, False), ("queued", True, False),
    ("saving", True, False), ("queued", False, False)])
def test_image_data(status: str, stored: bool, has_data: bool) -> None:
    if stored:
        with open(store.path_of(IMAGE_ID), "wb") as f:
            f.write(b"abc")
    data = service.image_data(IMAGE_ID, {**QUEUED_ROW, "status": status})
    if has_data:
        assert data is not None
        size, chunks = data
        assert size == 3 and b"".join(chunks) == b"abc"
    else:
        assert data is None


def test_an_upload_of_an_image_deleted_meanwhile_keeps_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([{"id": IMAGE_ID, "status": "saving"},
                    exception.ImageNotFound(image_id=IMAGE_ID)])

    def update(**_: Any) -> Any:
        answer = next(answers)
        if isinstance(answer, BaseException):
            raise answer
        return answer
    fake(monkeypatch, image_update=update)
    upload = service.begin_upload(CTX, IMAGE_ID, QUEUED_ROW)
    upload.write(b"\0" * 10)
    with pytest.raises(exception.ImageNotFound):
        service.finish_upload(CTX, IMAGE_ID, upload)
    assert store.size_of(IMAGE_ID) is None
