"""Image documents in the service layer (JSON patches, property limits, owners), without a
cloud."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from image_api import service
from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext

IMAGE_ID = "6c2ab1e5-9a9b-4e4b-8c2f-0d6a3f6e1b27"
MEMBER = RequestContext(user_id="u1", project_id="p1", roles=["member", "reader"])
ADMIN = RequestContext(user_id="a1", project_id="p0", roles=["admin", "member", "reader"])
ROW = {"id": IMAGE_ID, "name": "cirros", "visibility": "shared", "disk_format": "qcow2",
       "container_format": "bare", "min_disk": 0, "min_ram": 0, "protected": False,
       "os_hidden": False, "tags": ["a", "b"], "owner": "p1", "status": "active",
       "properties": {"hw_disk_bus": "virtio"}}
DOC = {"id": IMAGE_ID, "name": "cirros", "visibility": "shared", "disk_format": "qcow2",
       "container_format": "bare", "min_disk": 0, "min_ram": 0, "protected": False,
       "os_hidden": False, "tags": ["a", "b"], "owner": "p1", "hw_disk_bus": "virtio"}


@pytest.fixture
def quota() -> Iterator[Any]:
    def set_quota(value: int) -> None:
        CONF.set_override("image_property_quota", value, group="image")
    yield set_quota
    CONF.clear_override("image_property_quota", group="image")


def test_as_document_and_split_are_inverse() -> None:
    assert service.as_document(ROW) == DOC
    values = service.split(DOC)
    assert values["properties"] == {"hw_disk_bus": "virtio"}
    assert {k: v for k, v in values.items() if k != "properties"} == {
        k: v for k, v in DOC.items() if k != "hw_disk_bus"}


@pytest.mark.parametrize("body,refused", [
    ({"name": "x"}, None), ({"name": "x", "status": "active"}, "status"),
    ({"size": 1}, "size"), ({"locations": []}, "locations"), ({"hw_x": "1"}, None),
])
def test_check_read_only(body: dict[str, Any], refused: str | None) -> None:
    if refused:
        with pytest.raises(exception.Forbidden, match=f"Attribute '{refused}' is read-only"):
            service.check_read_only(body)
    else:
        service.check_read_only(body)


@pytest.mark.parametrize("quota_value,doc,before,error", [
    (128, {"name": "x", "a": "1"}, 0, None),
    (2, {"a": "1", "b": "2"}, 0, None),
    (1, {"a": "1", "b": "2"}, 0, exception.RequestTooLarge),
    # A quota lowered later does not lock an image that already had more properties...
    (1, {"a": "1", "b": "2"}, 2, None),
    (1, {"a": "1"}, 2, None),
    # ... as long as it gets no more of them.
    (1, {"a": "1", "b": "2", "c": "3"}, 2, exception.RequestTooLarge),
    (0, {"a": "1"}, 0, exception.RequestTooLarge),
    (-1, {f"p{i}": "v" for i in range(500)}, 0, None),  # -1: no limit
    (128, {"": "1"}, 0, exception.ValidationError),
    (128, {"a\0b": "1"}, 0, exception.ValidationError),
    (128, {"n" * 255: "1"}, 0, None),
    (128, {"n" * 256: "1"}, 0, exception.ValidationError),
])
def test_check_properties(quota: Any, quota_value: int, doc: dict[str, Any], before: int,
                          error: type[Exception] | None) -> None:
    quota(quota_value)
    if error:
        with pytest.raises(error):
            service.check_properties(doc, before=before)
    else:
        service.check_properties(doc, before=before)


def test_the_quota_message() -> None:
    CONF.set_override("image_property_quota", 1, group="image")
    try:
        with pytest.raises(exception.RequestTooLarge,
                           match="Attempted: 2, Maximum: 1"):
            service.check_properties({"name": "x", "a": "1", "b": "2"})
    finally:
        CONF.clear_override("image_property_quota", group="image")


@pytest.mark.parametrize("ops,changed", [
    ([{"op": "replace", "path": "/name", "value": "new"}], {"name": "new"}),
    ([{"op": "add", "path": "/hw_x", "value": "1"}], {"hw_x": "1"}),
    ([{"op": "add", "path": "/name", "value": "new"}], {"name": "new"}),
    ([{"op": "remove", "path": "/hw_disk_bus"}], {"hw_disk_bus": None}),
    ([{"op": "add", "path": "/tags/c", "value": "c"}], {"tags": ["a", "b", "c"]}),
    ([{"op": "remove", "path": "/tags/a"}], {"tags": ["b"]}),
    ([{"op": "remove", "path": "/tags/zz"}], {}),
    ([{"op": "replace", "path": "/visibility", "value": "public"},
      {"op": "replace", "path": "/min_ram", "value": 64}],
     {"visibility": "public", "min_ram": 64}),
])
def test_apply_patch(ops: list[dict[str, Any]], changed: dict[str, Any]) -> None:
    expected = {**DOC, **changed}
    expected = {k: v for k, v in expected.items() if k not in changed or v is not None}
    assert service.apply_patch(DOC, ops) == expected
    assert DOC == service.as_document(ROW)  # the original is left as it was


@pytest.mark.parametrize("op,error,message", [
    ({"op": "replace", "path": "/status", "value": "active"}, exception.Forbidden,
     "'status' is read-only"),
    ({"op": "add", "path": "/locations/0", "value": {}}, exception.Forbidden,
     "'locations' is read-only"),
    ({"op": "replace", "path": "/id", "value": "x"}, exception.Forbidden, "'id' is read-only"),
    ({"op": "replace", "path": "/owner", "value": "p2"}, exception.Forbidden,
     "'owner' is read-only"),
    ({"op": "remove", "path": "/nothing"}, exception.Conflict, "nothing does not exist"),
    ({"op": "replace", "path": "/nothing", "value": "1"}, exception.Conflict,
     "nothing does not exist"),
    ({"op": "remove", "path": "/name"}, exception.Forbidden, "'name' cannot be removed"),
    ({"op": "add", "path": "/hw_x"}, exception.ValidationError, "add needs a value"),
    ({"op": "replace", "path": "/name"}, exception.ValidationError, "replace needs a value"),
])
def test_apply_patch_refused(op: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        service.apply_patch(DOC, [op])


@pytest.mark.parametrize("ops,field", [
    ([{"op": "replace", "path": "/visibility", "value": "everyone"}], "visibility"),
    ([{"op": "replace", "path": "/min_disk", "value": -1}], "min_disk"),
    ([{"op": "add", "path": "/hw_x", "value": 5}], "hw_x"),
    ([{"op": "add", "path": "/tags/a", "value": "a"}], "tags"),
])
def test_a_patch_must_leave_a_valid_image(ops: list[dict[str, Any]], field: str) -> None:
    with pytest.raises(exception.ValidationError, match=f"field/attribute {field}\\."):
        service.patched_document(ROW, ops)


def test_a_patch_may_set_a_base_attribute_to_null() -> None:
    doc = service.patched_document(ROW, [{"op": "replace", "path": "/name", "value": None}])
    assert doc["name"] is None


def test_patched_document_defaults_tags() -> None:
    doc = service.patched_document({**ROW, "tags": None}, [])
    assert doc["tags"] == []


def test_a_patch_keeps_an_image_over_a_lowered_quota(quota: Any) -> None:
    row = {**ROW, "properties": {"a": "1", "b": "2"}}
    quota(1)
    assert service.patched_document(row, [{"op": "replace", "path": "/a", "value": "9"}])[
        "a"] == "9"
    with pytest.raises(exception.RequestTooLarge):
        service.patched_document(row, [{"op": "add", "path": "/c", "value": "3"}])


@pytest.mark.parametrize("ctx,body,expected", [
    (MEMBER, {"name": "x"}, {"name": "x", "visibility": "shared", "owner": "p1"}),
    (MEMBER, {"visibility": "private"}, {"visibility": "private", "owner": "p1"}),
    (MEMBER, {"owner": "p1"}, {"visibility": "shared", "owner": "p1"}),
    (ADMIN, {"owner": "p7"}, {"visibility": "shared", "owner": "p7"}),
    (MEMBER, {"owner": "p7"}, None),
])
def test_new_document(ctx: RequestContext, body: dict[str, Any],
                      expected: dict[str, Any] | None) -> None:
    if expected is None:
        with pytest.raises(exception.Forbidden, match="owned by 'p7'"):
            service.new_document(ctx, body)
    else:
        assert service.new_document(ctx, body) == expected


def test_new_document_checks_properties_before_the_owner(quota: Any) -> None:
    quota(0)
    with pytest.raises(exception.RequestTooLarge):
        service.new_document(MEMBER, {"owner": "p7", "hw_x": "1"})
