"""Wire contract of the metadata services (topic `metadata`, every one of them): what
changes of an instance its guest sees, so that no cached copy outlives the change.

Version history:
  1.0 - instance_changed.
"""
from __future__ import annotations

from stratus.context import RequestContext
from stratus.rpc import RPCAPI, fanout

BINARY = "stratus-metadata"


class MetadataAPI(RPCAPI):
    TOPIC = "metadata"
    VERSION = "1.0"

    @fanout("1.0")
    def instance_changed(self, ctx: RequestContext, *, instance_uuid: str | None = None) -> None:
        """Every metadata service drops what it cached of the instance (of every instance
        when None): its metadata, keys, addresses, password or very existence changed."""
