"""The request context every API call and RPC message carries."""
from __future__ import annotations

import dataclasses
import uuid
from typing import Any


def new_request_id() -> str:
    return "req-" + str(uuid.uuid4())


@dataclasses.dataclass
class RequestContext:
    user_id: str | None = None
    project_id: str | None = None
    roles: list[str] = dataclasses.field(default_factory=list)
    user_name: str | None = None
    project_name: str | None = None
    request_id: str = dataclasses.field(default_factory=new_request_id)
    auth_token: str | None = None
    read_deleted: str = "no"

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "RequestContext":
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def to_policy_values(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "project_id": self.project_id,
                "roles": list(self.roles)}

    def elevated(self) -> "RequestContext":
        ctx = dataclasses.replace(self, roles=list(self.roles))
        if "admin" not in ctx.roles:
            ctx.roles.append("admin")
        return ctx


def get_admin_context() -> RequestContext:
    return RequestContext(roles=["admin", "member", "reader"])
