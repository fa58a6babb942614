"""Wire contract of the conductor's image domain (topic `conductor_image`).

Version history:
  1.0 - split out of the release-1 conductor contract (its 1.3 image methods).
"""
from __future__ import annotations

from typing import Any

from stratus.context import RequestContext
from stratus.rpc import RPCAPI, call

Record = dict[str, Any]


class ImageAPI(RPCAPI):
    TOPIC = "conductor_image"
    VERSION = "1.0"

    @call("1.0")
    def image_create(self, ctx: RequestContext, *, values: Record) -> Record:
        """A new image record (queued, no data yet)."""

    @call("1.0")
    def image_get(self, ctx: RequestContext, *, image_id: str) -> Record:
        """One image record."""

    @call("1.0")
    def image_list(self, ctx: RequestContext, *, filters: dict[str, Any],
                   sort: list[tuple[str, str]], limit: int,
                   marker: str | None = None) -> list[Record]:
        """A page of image records."""

    @call("1.0")
    def image_update(self, ctx: RequestContext, *, image_id: str, values: Record,
                     expected_status: list[str] | None = None) -> Record:
        """Change an image record, only from `expected_status` if given."""

    @call("1.0")
    def image_delete(self, ctx: RequestContext, *, image_id: str) -> Record:
        """Delete an image record; returns it (its data file is the caller's to remove)."""
