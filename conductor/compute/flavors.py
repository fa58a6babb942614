"""The flavor endpoint: flavors, their extra specs and their project access lists. The
rows are read and written by conductor/compute/queries/flavors.py."""
from __future__ import annotations

import uuid
from typing import Any

from conductor.compute.queries import flavors as queries
from conductor.rpcapi.compute import ComputeConductorAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

UPDATABLE = ("description",)


class FlavorEndpoint:
    target = endpoint_target(ComputeConductorAPI)

    def flavor_create(self, ctx: RequestContext, values: dict[str, Any]) -> dict[str, Any]:
        values = dict(values)
        values["flavorid"] = str(values.get("flavorid") or uuid.uuid4())
        return queries.create_flavor(values)

    def flavor_get(self, ctx: RequestContext, flavorid: str,
                   project_id: str | None = None) -> dict[str, Any]:
        """A flavor; with `project_id`, only if that project may see it."""
        return queries.flavor(flavorid, project_id)

    def flavor_list(self, ctx: RequestContext, project_id: str | None = None,
                    is_public: bool | None = True, min_memory_mb: int = 0,
                    min_root_gb: int = 0, sort_key: str = "flavorid",
                    sort_dir: str = "asc", limit: int | None = None,
                    marker: str | None = None,
                    name: str | None = None) -> list[dict[str, Any]]:
        """Flavors a caller sees; project_id None means an admin's view."""
        rows = queries.flavors_matching(project_id, is_public, min_memory_mb, min_root_gb,
                                        sort_key, sort_dir, name)
        if marker is not None:
            ids = [r["flavorid"] for r in rows]
            if marker not in ids:
                raise exception.Invalid(reason=f"marker [{marker}] not found")
            rows = rows[ids.index(marker) + 1:]
        if limit is not None:
            rows = rows[:limit]
        return rows

    def flavor_update(self, ctx: RequestContext, flavorid: str,
                      values: dict[str, Any]) -> dict[str, Any]:
        return queries.update_flavor(flavorid,
                                     {k: v for k, v in values.items() if k in UPDATABLE})

    def flavor_delete(self, ctx: RequestContext, flavorid: str) -> None:
        queries.delete_flavor(flavorid)

    def flavor_extra_specs_update(self, ctx: RequestContext, flavorid: str,
                                  specs: dict[str, str]) -> dict[str, str]:
        return queries.update_extra_specs(flavorid, specs)

    def flavor_extra_spec_delete(self, ctx: RequestContext, flavorid: str, key: str) -> None:
        queries.delete_extra_spec(flavorid, key)

    def flavor_access_add(self, ctx: RequestContext, flavorid: str,
                          project_id: str) -> list[str]:
        return queries.add_access(flavorid, project_id)

    def flavor_access_remove(self, ctx: RequestContext, flavorid: str,
                             project_id: str) -> list[str]:
        return queries.remove_access(flavorid, project_id)
