"""Admin operations that run in the conductor's place, straight on the database:
`stratus db sync`, `stratus db version` and `stratus bootstrap`."""
from __future__ import annotations

import secrets
from typing import Any

from conductor.compute.flavors import FlavorEndpoint
from conductor.db import migration
from conductor.identity.endpoint import IdentityEndpoint
from scheduler.request import SchedulingRequest
from stratus import exception
from stratus.config import CONF
from stratus.context import get_admin_context

# The seed's default flavors (5.4.3): name, ID, memory MB, disk GB, vCPUs.
DEFAULT_FLAVORS = [
    ("m1.tiny", "1", 512, 1, 1),
    ("m1.small", "2", 2048, 20, 1),
    ("m1.medium", "3", 4096, 40, 2),
    ("m1.large", "4", 8192, 80, 4),
    ("m1.xlarge", "5", 16384, 160, 8),
]
# Keystone's default roles: admin -> manager -> member -> reader, and service (for
# services calling each other, e.g. os-server-external-events).
ROLES = [("reader", []), ("member", ["reader"]), ("manager", ["member"]),
         ("admin", ["manager"]), ("service", [])]


def db_sync() -> str | None:
    migration.upgrade()
    return migration.current_version()


def db_version() -> str | None:
    return migration.current_version()


def create_schema() -> None:
    """Tables straight from the models (tests); deployments use db_sync."""
    migration.create_tables()


def catalog_endpoints() -> list[dict[str, str]]:
    region = CONF.identity.region
    urls = [("identity", "keystone", CONF.identity.public_endpoint.rstrip("/") + "/v3"),
            ("compute", "nova", CONF.compute_api.public_endpoint.rstrip("/") + "/v2.1"),
            ("image", "glance", CONF.image.public_endpoint.rstrip("/"))]
    return [{"service_type": t, "service_name": n, "interface": i, "region": region, "url": u}
            for t, n, u in urls for i in ("public", "internal", "admin")]


def _find_or_create(identity: IdentityEndpoint, kind: str, name: str,
                    values: dict[str, Any]) -> dict[str, Any]:
    ctx = get_admin_context()
    found = identity.identity_list(ctx, kind, {"name": name})
    if found:
        return found[0]
    return identity.identity_create(ctx, kind, {"name": name, **values})


def bootstrap(admin_password: str | None = None, project_name: str = "admin",
              user_name: str = "admin") -> dict[str, Any]:
    """Roles, the admin project and user, the catalog and default flavors.

    Safe to run again: it creates what is missing and resets the admin
    password only when one is given.
    """
    ctx = get_admin_context()
    identity = IdentityEndpoint()
    roles = {name: _find_or_create(identity, "role", name, {"implies": implies})
             for name, implies in ROLES}
    project = _find_or_create(identity, "project", project_name,
                              {"description": "Bootstrap project for initializing the cloud."})
    existing = identity.identity_list(ctx, "user", {"name": user_name})
    password = admin_password
    if existing:
        user = existing[0]
        if password:
            identity.identity_update(ctx, "user", user["id"], {"password": password})
    else:
        password = password or secrets.token_urlsafe(16)
        user = identity.identity_create(ctx, "user", {
            "name": user_name, "password": password, "default_project_id": project["id"]})
    identity.role_assignment_add(ctx, user["id"], project["id"], roles["admin"]["id"])
    identity.catalog_set(ctx, catalog_endpoints())
    flavors = FlavorEndpoint()
    for name, flavorid, ram, disk, vcpus in DEFAULT_FLAVORS:
        try:
            flavors.flavor_create(ctx, {"name": name, "flavorid": flavorid, "memory_mb": ram,
                                        "root_gb": disk, "vcpus": vcpus})
        except exception.Duplicate:
            pass
    return {"project": project, "user": user, "password": password,
            "roles": list(roles.values())}


def service_table() -> list[tuple[object, ...]]:
    from conductor.hosts.services import ServiceEndpoint
    from stratus.servicegroup import get_driver
    group = get_driver()
    rows = []
    for svc in ServiceEndpoint().service_list(get_admin_context()):
        zone = CONF.default_availability_zone if svc["binary"] == "stratus-compute" \
            else "internal"
        rows.append((svc["id"], svc["binary"], svc["host"], zone,
                     "disabled" if svc["disabled"] else "enabled",
                     "up" if group.is_up(svc) else "down", svc["updated_at"] or "",
                     svc["disabled_reason"] or ""))
    return rows


def service_set(host: str, binary: str, values: dict[str, Any]) -> dict[str, Any]:
    from conductor.hosts.services import ServiceEndpoint
    return ServiceEndpoint().service_update(get_admin_context(), host=host, binary=binary,
                                            values=values)


def scheduling_inputs(flavor_ref: str, image_ref: str | None, hints: dict[str, Any],
                      project_id: str | None = None) -> tuple[
                          list[dict[str, Any]], list[dict[str, Any]], SchedulingRequest]:
    """Host states, aggregates and a request spec as the scheduler would see them (for
    explain)."""
    from conductor.compute.instances import InstanceEndpoint
    from conductor.compute.server_groups import ServerGroupEndpoint
    from conductor.hosts.aggregates import AggregateEndpoint
    from conductor.hosts.services import ServiceEndpoint
    from conductor.image.endpoint import ImageEndpoint
    ctx = get_admin_context()
    try:
        flavor = FlavorEndpoint().flavor_get(ctx, flavorid=flavor_ref)
    except exception.FlavorNotFound:
        found = [f for f in FlavorEndpoint().flavor_list(ctx, is_public=None)
                 if f["name"] == flavor_ref]
        if not found:
            raise
        flavor = found[0]
    image = ImageEndpoint().image_get(ctx, image_id=image_ref) if image_ref else None
    hint_hosts = {}
    for key in ("same_host", "different_host"):
        if hints.get(key):
            uuids = hints[key] if isinstance(hints[key], list) else [hints[key]]
            rows = InstanceEndpoint().instance_list(ctx, filters={"uuids": uuids})
            hint_hosts[key] = [r["host"] for r in rows if r["host"]]
    group, group_hosts = None, []
    if hints.get("group"):
        found = ServerGroupEndpoint().server_group_get(ctx, group_uuid=hints["group"],
                                                       with_hosts=True)
        group = {k: found[k] for k in ("uuid", "policy", "rules")}
        group_hosts = found["hosts"]
    spec = SchedulingRequest.model_validate({
        "flavor": flavor, "image": image or {}, "scheduler_hints": hints,
        "availability_zone": hints.pop("availability_zone", None), "project_id": project_id,
        "group": group, "group_hosts": group_hosts, "hint_hosts": hint_hosts})
    return (ServiceEndpoint().host_states(ctx), AggregateEndpoint().aggregate_list(ctx),
            spec)
