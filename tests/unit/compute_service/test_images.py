"""The image proxy's service layer: GET /images queries as image_list filters, and the
image service's rules and the metadata_items quota before a change."""
from __future__ import annotations

from typing import Any

import pytest

from compute_api import service
from compute_api.service import images
from stratus import exception
from tests.unit.compute_service.fakes import ADMIN, MEMBER, stub

IMAGE = {"id": "i1", "owner": "p1", "properties": {"a": "1"}}
FOREIGN = {"id": "i2", "owner": "p9", "properties": {"a": "1"}}


@pytest.mark.parametrize("params,expected", [
    ({}, {"os_hidden": False}),
    ({"name": "cirros", "status": "ACTIVE", "limit": "2", "marker": "m", "other": "x"},
     {"os_hidden": False, "name": "cirros", "status": "active"}),
    ({"minRam": "512", "minDisk": "1"}, {"os_hidden": False, "min_ram": 512, "min_disk": 1}),
    ({"changes-since": "2024-01-02T03:04:05Z"},
     {"os_hidden": False, "updated_at_min": "2024-01-02T03:04:05"}),
    ({"changes-since": "2024-01-02T05:04:05.5+02:00"},
     {"os_hidden": False, "updated_at_min": "2024-01-02T03:04:05.500000"}),
    ({"server": "http://x/v2.1/servers/s1", "type": "snapshot"},
     {"os_hidden": False, "properties": {"instance_uuid": "s1", "image_type": "snapshot"}}),
    ({"server": "s1", "property-os_distro": "cirros", "property-": "x"},
     {"os_hidden": False, "properties": {"instance_uuid": "s1", "os_distro": "cirros"}}),
])
def test_image_filters(params: dict[str, str], expected: dict[str, Any]) -> None:
    assert service.image_filters(params) == expected


@pytest.mark.parametrize("params,message", [
    ({"changes-since": "yesterday"}, 'Bad "changes-since" query filter format'),
    ({"minRam": "lots"}, "minRam must be an integer"),
    ({"minDisk": "1.5"}, "minDisk must be an integer"),
])
def test_bad_filters(params: dict[str, str], message: str) -> None:
    with pytest.raises(exception.Invalid, match=message):
        service.image_filters(params)


def test_list_images_newest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = stub(monkeypatch, images, image_list=[IMAGE])
    assert service.list_images(MEMBER, {"name": "x"}, 5, "m") == [IMAGE]
    assert conductor.calls == [("image_list", {"filters": {"name": "x"},
                                               "sort": [("created_at", "desc")],
                                               "limit": 5, "marker": "m"})]


def test_an_image_not_found_says_so_as_nova(monkeypatch: pytest.MonkeyPatch) -> None:
    stub(monkeypatch, images, image_get=exception.ImageNotFound(image_id="i0"))
    with pytest.raises(exception.ImageNotFound, match="^Image not found.$"):
        service.get_image(MEMBER, "i0")


def test_metadata_change_within_the_callers_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = stub(monkeypatch, images, quota_get={"metadata_items": 7},
                     image_properties_update=lambda **kw: {"properties": {"a": "1",
                                                                           "b": "2"}})
    assert service.update_image_metadata(MEMBER, IMAGE, {"b": "2"}) == {"a": "1", "b": "2"}
    assert conductor.calls == [
        ("quota_get", {"project_id": "p1"}),
        ("image_properties_update", {"image_id": "i1", "updates": {"b": "2"},
                                     "deletes": [], "replace": False, "max_count": 7})]


def test_only_the_owner_or_an_admin_changes_an_image(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = stub(monkeypatch, images, quota_get={"metadata_items": -1},
                     image_properties_update={"properties": {}}, image_discard={})
    with pytest.raises(exception.Forbidden, match="Not authorized for image i2"):
        service.update_image_metadata(MEMBER, FOREIGN, {"b": "2"})
    assert conductor.calls == []
    service.update_image_metadata(ADMIN, FOREIGN, {}, deletes=["a"])
    assert conductor.names() == ["quota_get", "image_properties_update"]


def test_a_missing_key_is_404_before_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = stub(monkeypatch, images)
    with pytest.raises(exception.MetadataItemNotFound, match="Invalid metadata key"):
        service.update_image_metadata(MEMBER, FOREIGN, {}, deletes=["zz"])
    with pytest.raises(exception.MetadataItemNotFound):
        service.image_metadata_item(IMAGE, "zz")
    assert service.image_metadata_item(IMAGE, "a") == "1"
    assert conductor.calls == []


def test_delete_discards_for_the_scrubber(monkeypatch: pytest.MonkeyPatch) -> None:
    conductor = stub(monkeypatch, images, image_get=lambda image_id: {**FOREIGN,
                                                                      "id": image_id},
                     image_discard={})
    with pytest.raises(exception.Forbidden, match="not allowed to delete"):
        service.delete_image(MEMBER, "i2")
    service.delete_image(ADMIN, "i2")
    assert conductor.calls[-1] == ("image_discard", {"image_id": "i2"})
