"""Wire contract of the conductor's image domain (topic `conductor_image`).

Version history:
  1.0 - split out of the release-1 conductor contract (its 1.3 image methods).
  1.1 - image_list filters also min_ram, min_disk, updated_at_min and properties (1.0
        peers get the other filters, and refuse a list that needs these);
        image_properties_update (one transaction, under the image service's rules);
        image_discard, image_discarded_list and image_purge (Glance's delayed delete: the
        compute API's image proxy deletes records, the image service scrubs the data).
"""
from __future__ import annotations

from typing import Any

from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import RPCAPI, call

Record = dict[str, Any]
# image_list filters a 1.0 conductor does not know (it would ignore them, silently).
FILTERS_1_1 = ("min_ram", "min_disk", "updated_at_min", "properties")


class ImageAPI(RPCAPI):
    TOPIC = "conductor_image"
    VERSION = "1.1"

    @call("1.0")
    def image_create(self, ctx: RequestContext, *, values: Record) -> Record:
        """A new image record (queued, no data yet)."""

    @call("1.0")
    def image_get(self, ctx: RequestContext, *, image_id: str) -> Record:
        """One image record."""

    @call("1.1")
    def image_list(self, ctx: RequestContext, *, filters: dict[str, Any],
                   sort: list[tuple[str, str]], limit: int,
                   marker: str | None = None) -> list[Record]:
        """A page of image records. Filters: exact name, status, visibility, owner,
        disk_format, container_format, os_hidden, protected, min_ram, min_disk; size_min,
        size_max; tag (all of them); updated_at_min (an ISO time, UTC); properties
        ({name: value}, all of them)."""

    @image_list.downgrade("1.0")
    def _without_1_1_filters(args: dict[str, Any]) -> dict[str, Any]:
        used = [f for f in FILTERS_1_1 if f in args.get("filters", {})]
        if used:
            raise exception.RPCVersionTooNew(topic=ImageAPI.TOPIC, cap="1.0",
                                             method="image_list", version="1.1")
        return args

    @call("1.0")
    def image_update(self, ctx: RequestContext, *, image_id: str, values: Record,
                     expected_status: list[str] | None = None) -> Record:
        """Change an image record, only from `expected_status` if given."""

    @call("1.0")
    def image_delete(self, ctx: RequestContext, *, image_id: str) -> Record:
        """Delete an image record; returns it (its data file is the caller's to remove)."""

    @call("1.1")
    def image_properties_update(self, ctx: RequestContext, *, image_id: str,
                                updates: dict[str, str], deletes: list[str],
                                replace: bool = False, max_count: int = -1) -> Record:
        """Set `updates` and remove `deletes` (each must exist) of an image's properties in
        one transaction (`replace`: `updates` become all of them), under the image
        service's rules: no core attribute's name, names of 1-255 characters and values
        without NUL, at most [image] image_property_quota of them; and at most `max_count`
        (-1: any number) when `updates` are given. Returns the record."""

    @call("1.1")
    def image_discard(self, ctx: RequestContext, *, image_id: str) -> Record:
        """Delete an image whose data the image service removes later (Glance's delayed
        delete): gone at once for every caller, its id still taken until it is purged;
        a protected image is refused. Returns what it was."""

    @call("1.1")
    def image_discarded_list(self, ctx: RequestContext, *, limit: int) -> list[str]:
        """Ids of up to `limit` discarded images, oldest first, whose data is still to
        remove (the image service's scrubber)."""

    @call("1.1")
    def image_purge(self, ctx: RequestContext, *, image_id: str) -> None:
        """Remove the record of a discarded image once its data is gone (nothing if the
        image is not a discarded one)."""
