"""What the metadata service reads of an instance (the instance dict with what only its
guest may see: the names of its security groups, the password set for it, the password
its guest posted), which instance a fixed IP belongs to, and the posted password."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from conductor.compute.models import Instance
from conductor.compute.queries.instances import instance_dicts, instance_row
from conductor.db import api as db
from conductor.network.queries import networks as network
from conductor.network.queries import security_groups
from stratus import exception
from stratus.instance_metadata import MAX_PASSWORD


def instance_for_guest(instance_uuid: str | None = None,
                       address: str | None = None) -> dict[str, Any]:
    """The live instance by uuid, or the one a fixed IP is allocated to (InstanceNotFound
    when none), with `security_groups` (names), `admin_pass` and `server_password`."""
    with db.reader() as s:
        if address is not None:
            instance_uuid = network.instance_at_address(s, address)
        if instance_uuid is None:
            raise exception.InstanceNotFound(instance_id=address)
        row = instance_row(s, instance_uuid)
        item = instance_dicts(s, [row])[0]
        item["security_groups"] = security_groups.names_for_instances(
            s, [instance_uuid]).get(instance_uuid, [])
        item["admin_pass"], item["server_password"] = row.admin_pass, row.server_password
        return item


def post_password(instance_uuid: str, password: str) -> None:
    """The guest's password, once (Conflict when one is set; Invalid over 1020 bytes)."""
    if len(password.encode()) > MAX_PASSWORD:
        raise exception.Invalid(f"The password is longer than {MAX_PASSWORD} bytes.")
    with db.writer() as s:
        done = s.execute(sa.update(Instance).where(
            Instance.uuid == instance_uuid, Instance.deleted == 0,
            sa.or_(Instance.server_password.is_(None), Instance.server_password == ""))
            .values(server_password=password).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            instance_row(s, instance_uuid)  # InstanceNotFound when it is gone
            raise exception.Conflict(reason="The password is already set.")


def server_password(instance_uuid: str, project_id: str | None) -> str:
    """The password the guest posted ("" when none), of the project's instance."""
    with db.reader() as s:
        return instance_row(s, instance_uuid, project_id).server_password or ""


def clear_password(instance_uuid: str, project_id: str | None) -> None:
    with db.writer() as s:
        instance_row(s, instance_uuid, project_id).server_password = None
