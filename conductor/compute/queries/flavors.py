"""SQL of flavors, their extra specs and their project access lists."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conductor.compute.models import Flavor, FlavorProject
from conductor.db import api as db
from stratus import exception

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


def flavor_by_id(session: Session, flavorid: str, project_id: str | None = None) -> Flavor:
    """The flavor; with `project_id`, only if that project may see it."""
    query = _visible(sa.select(Flavor).where(Flavor.flavorid == str(flavorid)), project_id)
    row = session.scalar(query)
    if row is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return row


def flavor(flavorid: str, project_id: str | None = None) -> dict[str, Any]:
    with db.reader() as s:
        return flavor_dict(flavor_by_id(s, flavorid, project_id))


def flavors_matching(project_id: str | None, is_public: bool | None, min_memory_mb: int,
                     min_root_gb: int, sort_key: str, sort_dir: str,
                     name: str | None = None) -> list[dict[str, Any]]:
    """Enabled flavors of at least that memory and disk (and named `name`, if given):
    those `project_id` sees, or with no project those of that publicity (any when None),
    sorted then by id."""
    with db.reader() as s:
        query = sa.select(Flavor).where(Flavor.disabled.is_(False),
                                        Flavor.memory_mb >= min_memory_mb,
                                        Flavor.root_gb >= min_root_gb)
        if name is not None:
            query = query.where(Flavor.name == name)
        if project_id is not None:
            query = _visible(query, project_id)
        elif is_public is not None:
            query = query.where(Flavor.is_public.is_(is_public))
        column = getattr(Flavor, sort_key if sort_key in SORT_KEYS else "flavorid")
        order = column.desc() if sort_dir == "desc" else column.asc()
        return [flavor_dict(r) for r in s.scalars(query.order_by(order, Flavor.id.asc()))]


def create_flavor(values: dict[str, Any]) -> dict[str, Any]:
    """Insert the flavor; Duplicate naming the ID or the name that is taken."""
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


def update_flavor(flavorid: str, changes: dict[str, Any]) -> dict[str, Any]:
    with db.writer() as s:
        row = flavor_by_id(s, flavorid)
        for key, value in changes.items():
            setattr(row, key, value)
        s.flush()
        return flavor_dict(row)


def delete_flavor(flavorid: str) -> None:
    with db.writer() as s:
        s.delete(flavor_by_id(s, flavorid))


def update_extra_specs(flavorid: str, specs: dict[str, str]) -> dict[str, str]:
    """Set these extra specs; all of the flavor's now."""
    with db.writer() as s:
        row = flavor_by_id(s, flavorid)
        row.extra_specs = {**(row.extra_specs or {}), **specs}
        return dict(row.extra_specs)


def delete_extra_spec(flavorid: str, key: str) -> None:
    with db.writer() as s:
        row = flavor_by_id(s, flavorid)
        specs = dict(row.extra_specs or {})
        if key not in specs:
            raise exception.FlavorExtraSpecNotFound(flavor_id=flavorid, key=key)
        del specs[key]
        row.extra_specs = specs


def add_access(flavorid: str, project_id: str) -> list[str]:
    """Let the project use the private flavor; the projects that may now."""
    with db.writer() as s:
        row = flavor_by_id(s, flavorid)
        if row.is_public:
            raise exception.Conflict(reason="Can not add access to a public flavor.")
        if any(p.project_id == project_id for p in row.projects):
            raise exception.Duplicate(
                reason=f"Flavor access already exists for flavor {flavorid} and "
                       f"project {project_id} combination.")
        row.projects.append(FlavorProject(project_id=project_id))
        s.flush()
        return sorted(p.project_id for p in row.projects)


def remove_access(flavorid: str, project_id: str) -> list[str]:
    """Take the private flavor from the project; the projects that may still use it."""
    with db.writer() as s:
        row = flavor_by_id(s, flavorid)
        if row.is_public:
            raise exception.Conflict(reason="Can not remove access from a public flavor.")
        match = [p for p in row.projects if p.project_id == project_id]
        if not match:
            raise exception.FlavorAccessNotFound(flavor_id=flavorid, project_id=project_id)
        row.projects.remove(match[0])
        s.flush()
        return sorted(p.project_id for p in row.projects)
