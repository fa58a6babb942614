"""Checks of a create or rebuild request that need no cloud."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from compute_api import service
from compute_api.schemas.servers import create_v263
from stratus import exception
from stratus.api import validation
from stratus.config import CONF

FLAVOR = {"root_gb": 1, "memory_mb": 512}
IMAGE = {"status": "active", "disk_format": "qcow2", "size": 1024 ** 3, "min_disk": 0,
         "min_ram": 0}


@pytest.fixture
def cap() -> Iterator[None]:
    CONF.set_override("max_servers_per_request", 10, group="compute_api")
    yield
    CONF.clear_override("max_servers_per_request", group="compute_api")


@pytest.mark.parametrize("server,expected", [
    ({}, (1, 1)),
    ({"min_count": 2}, (2, 2)),
    ({"max_count": 5}, (1, 5)),
    ({"min_count": "3", "max_count": "4"}, (3, 4)),
    ({"min_count": 2, "max_count": 50}, (2, 10)),
    ({"max_count": "0007"}, (1, 7)),
])
def test_counts(cap: None, server: dict[str, Any], expected: tuple[int, int]) -> None:
    assert service.counts(server) == expected


@pytest.mark.parametrize("server,error,message", [
    ({"min_count": 0}, exception.Invalid, "at least 1"),
    ({"min_count": 3, "max_count": 2}, exception.Invalid, "no more than max_count"),
    ({"min_count": 11}, exception.Invalid, "more than the 10 servers"),
])
def test_counts_refused(cap: None, server: dict[str, Any], error: type[Exception],
                        message: str) -> None:
    with pytest.raises(error, match=message):
        service.counts(server)


@pytest.mark.parametrize("field,value", [
    ("max_count", 2 ** 31), ("min_count", "1" + "0" * 10), ("max_count", "9" * 5000)])
def test_counts_past_the_largest_integer_fail_the_schema(field: str, value: Any) -> None:
    body = {"server": {"name": "n", "imageRef": "i", "flavorRef": "1", "networks": "none",
                       field: value}}
    with pytest.raises(exception.ValidationError, match="greater than the maximum"):
        validation.validate(body, create_v263)


@pytest.mark.parametrize("value,expected", [
    (None, (None, None, None)),
    ("", (None, None, None)),
    ("az1", ("az1", None, None)),
    ("az1:host1", ("az1", "host1", None)),
    ("az1::node1", ("az1", None, "node1")),
    ("az1:host1:node1", ("az1", "host1", "node1")),
    (":host1", (None, "host1", None)),
    ("az1:host1:node:with:colons", ("az1", "host1", "node:with:colons")),
])
def test_split_zone(value: str | None, expected: tuple[str | None, ...]) -> None:
    assert service.split_zone(value) == expected


@pytest.mark.parametrize("user_data,ok", [
    (None, True),
    ("", True),
    ("aGVsbG8=", True),
    ("aGVsbG8", False),
    ("not base64!", False),
    ("aGVs\nbG8=", False),
])
def test_check_user_data(user_data: str | None, ok: bool) -> None:
    if ok:
        service.check_user_data(user_data)
    else:
        with pytest.raises(exception.Invalid, match="valid base 64"):
            service.check_user_data(user_data)


@pytest.mark.parametrize("certificates,ok", [
    (None, True), ([], True), (["0b5d2c72-12cc-4ba6-a8d7-3ff5cc1d8cb8"], False)])
def test_refuse_trusted_certificates(certificates: Any, ok: bool) -> None:
    if ok:
        service.refuse_trusted_certificates(certificates)
    else:
        with pytest.raises(exception.Invalid, match="Trusted image certificates"):
            service.refuse_trusted_certificates(certificates)


@pytest.mark.parametrize("image,flavor,message", [
    ({}, {}, None),
    ({"size": None, "min_disk": None, "min_ram": None}, {}, None),
    ({"size": 5 * 1024 ** 3}, {"root_gb": 0}, None),
    ({"min_disk": 5}, {"root_gb": 0}, None),
    ({"min_ram": 512}, {}, None),
    ({"status": "queued"}, {}, "is not active"),
    ({"disk_format": "aki"}, {}, "kernel or ramdisk"),
    ({"disk_format": "ari"}, {}, "kernel or ramdisk"),
    ({"size": 1024 ** 3 + 1}, {}, "image is 1073741825 bytes"),
    ({"min_disk": 2}, {}, "needs at least 2 GB"),
    ({"min_ram": 1024}, {}, "needs at least 1024 MB"),
])
def test_check_image_fits_flavor(image: dict[str, Any], flavor: dict[str, Any],
                                 message: str | None) -> None:
    image, flavor = {**IMAGE, **image}, {**FLAVOR, **flavor}
    if message is None:
        service.check_image_fits_flavor("img", image, flavor)
    else:
        with pytest.raises(exception.Invalid, match=message):
            service.check_image_fits_flavor("img", image, flavor)
