"""Flavors, their extra specs and their project access lists."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from conductor.db import api as db
from conductor.db.models import Flavor, FlavorProject
from conductor.rpcapi import ConductorAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

SORT_KEYS = {"flavorid", "name", "memory_mb", "vcpus", "root_gb", "ephemeral_gb", "swap",
             "rxtx_factor", "id", "created_at"}


def flavor_dict(row: Flavor) -> dict[str, Any]:
    out = db.to_dict(row)
    out["projects"] = sorted(p.project_id for p in row.projects)
    return out


def _visible(query: sa.Select[Any], project_id: str | None) -> sa.Select[Any]:
    if project_id is None:
        return query
    access = sa.select(FlavorProject.flavor_id).where(FlavorProject.project_id == project_id)
    return query.where(sa.or_(Flavor.is_public.is_(True), Flavor.id.in_(access)))


def _get(session: sa.orm.Session, flavorid: str, project_id: str | None = None) -> Flavor:
    query = _visible(sa.select(Flavor).where(Flavor.flavorid == str(flavorid)), project_id)
    row = session.scalar(query)
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row


class FlavorEndpoint:
    target = endpoint_target(ConductorAPI)

    def flavor_create(self, ctx: RequestContext, values: dict[str, Any]) -> dict[str, Any]:
        values = dict(values)
        values["flavorid"] = str(values.get("flavorid") or uuid.uuid4())
        with db.writer() as s:
            clash = s.scalar(sa.select(Flavor).where(sa.or_(
                Flavor.flavorid == values["flavorid"], Flavor.name == values["name"])))
            if clash is not None:
                which = ("ID " + values["flavorid"] if clash.flavorid == values["flavorid"]
                         else "name " + values["name"])
                raise exception.Duplicate(reason=f"Flavor with {which} already exists.")
            row = Flavor(**values)
            s.add(row)
            s.flush()
            return flavor_dict(row)

    def flavor_get(self, ctx: RequestContext, flavorid: str,
                   project_id: str | None = None) -> dict[str, Any]:
        """A flavor; with `project_id`, only if that project may see it."""
        with db.reader() as s:
            return flavor_dict(_get(s, flavorid, project_id))

    def flavor_list(self, ctx: RequestContext, project_id: str | None = None,
                    is_public: bool | None = True, min_memory_mb: int = 0,
                    min_root_gb: int = 0, sort_key: str = "flavorid",
                    sort_dir: str = "asc", limit: int | None = None,
                    marker: str | None = None) -> list[dict[str, Any]]:
        """Flavors a caller sees; project_id None means an admin's view."""
        with db.reader() as s:
            query = sa.select(Flavor).where(Flavor.disabled.is_(False),
                                            Flavor.memory_mb >= min_memory_mb,
                                            Flavor.root_gb >= min_root_gb)
            if project_id is not None:
                query = _visible(query, project_id)
            elif is_public is not None:
                query = query.where(Flavor.is_public.is_(is_public))
            column = getattr(Flavor, sort_key if sort_key in SORT_KEYS else "flavorid")
            order = column.desc() if sort_dir == "desc" else column.asc()
            query = query.order_by(order, Flavor.id.asc())
            rows = list(s.scalars(query))
            if marker is not None:
                ids = [r.flavorid for r in rows]
                if marker not in ids:
                    raise exception.Invalid(reason=f"marker [{marker}] not found")
                rows = rows[ids.index(marker) + 1:]
            if limit is not None:
                rows = rows[:limit]
            return [flavor_dict(r) for r in rows]

    def flavor_update(self, ctx: RequestContext, flavorid: str,
                      values: dict[str, Any]) -> dict[str, Any]:
        with db.writer() as s:
            row = _get(s, flavorid)
            if "description" in values:
                row.description = values["description"]
            s.flush()
            return flavor_dict(row)

    def flavor_delete(self, ctx: RequestContext, flavorid: str) -> None:
        with db.writer() as s:
            s.delete(_get(s, flavorid))

    def flavor_extra_specs_update(self, ctx: RequestContext, flavorid: str,
                                  specs: dict[str, str]) -> dict[str, str]:
        with db.writer() as s:
            row = _get(s, flavorid)
            row.extra_specs = {**(row.extra_specs or {}), **specs}
            return dict(row.extra_specs)

    def flavor_extra_spec_delete(self, ctx: RequestContext, flavorid: str, key: str) -> None:
        with db.writer() as s:
            row = _get(s, flavorid)
            specs = dict(row.extra_specs or {})
            if key not in specs:
                raise exception.FlavorExtraSpecNotFound(flavor_id=flavorid, key=key)
            del specs[key]
            row.extra_specs = specs

    def flavor_access_add(self, ctx: RequestContext, flavorid: str,
                          project_id: str) -> list[str]:
        with db.writer() as s:
            row = _get(s, flavorid)
            if row.is_public:
                raise exception.Conflict(reason="Can not add access to a public flavor.")
            if any(p.project_id == project_id for p in row.projects):
                raise exception.Duplicate(
                    reason=f"Flavor access already exists for flavor {flavorid} and "
                           f"project {project_id} combination.")
            row.projects.append(FlavorProject(project_id=project_id))
            s.flush()
            return sorted(p.project_id for p in row.projects)

    def flavor_access_remove(self, ctx: RequestContext, flavorid: str,
                             project_id: str) -> list[str]:
        with db.writer() as s:
            row = _get(s, flavorid)
            if row.is_public:
                raise exception.Conflict(
                    reason="Can not remove access from a public flavor.")
            match = [p for p in row.projects if p.project_id == project_id]
            if not match:
                raise exception.FlavorAccessNotFound(flavor_id=flavorid, project_id=project_id)
            row.projects.remove(match[0])
            s.flush()
            return sorted(p.project_id for p in row.projects)
