"""Server tags (2.26), behind the /servers/{id}/tags handlers."""
from __future__ import annotations

from typing import Any

from compute_api.service.clients import conductor
from compute_api.service.servers import owner_filter
from stratus import exception
from stratus.context import RequestContext


def require_tag(inst: dict[str, Any], tag: str) -> None:
    if tag not in (inst["tags"] or []):
        raise exception.NotFound(f"Tag {tag} could not be found for instance "
                                 f"{inst['uuid']}.")


def replace_tags(ctx: RequestContext, inst: dict[str, Any], tags: list[str]) -> list[str]:
    return list(conductor.instance_tags_replace(ctx, instance_uuid=inst["uuid"], tags=tags,
                                                project_id=owner_filter(ctx)))


def add_tag(ctx: RequestContext, inst: dict[str, Any], tag: str) -> bool:
    return bool(conductor.instance_tag_add(ctx, instance_uuid=inst["uuid"], tag=tag,
                                           project_id=owner_filter(ctx)))


def remove_tag(ctx: RequestContext, inst: dict[str, Any], tag: str) -> None:
    conductor.instance_tag_remove(ctx, instance_uuid=inst["uuid"], tag=tag,
                                  project_id=owner_filter(ctx))
