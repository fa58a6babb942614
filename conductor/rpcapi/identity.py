"""Wire contract of the conductor's identity domain (topic `conductor_identity`).

Version history:
  1.0 - split out of the release-1 conductor contract (its 1.3 identity methods, less
        token_revocation_list, which only 1.2 API processes called: two releases old).
"""
from __future__ import annotations

from typing import Any

from stratus.context import RequestContext
from stratus.rpc import RPCAPI, call

Record = dict[str, Any]


class IdentityAPI(RPCAPI):
    TOPIC = "conductor_identity"
    VERSION = "1.0"

    @call("1.0")
    def identity_authenticate(self, ctx: RequestContext, *, password: str,
                              user_id: str | None = None, user_name: str | None = None,
                              domain_id: str = "default") -> Record:
        """The user whose password this is (by id, or by name in a domain); 401 otherwise."""

    @call("1.0")
    def identity_token_scope(self, ctx: RequestContext, *, user_id: str,
                             project_id: str | None = None, project_name: str | None = None,
                             project_domain_id: str = "default") -> Record:
        """The user's roles on a project, for a project-scoped token."""

    @call("1.0")
    def identity_list(self, ctx: RequestContext, *, kind: str,
                      filters: dict[str, Any] | None = None) -> list[Record]:
        """Users, projects, domains or roles (`kind`) matching the filters."""

    @call("1.0")
    def identity_get(self, ctx: RequestContext, *, kind: str, ident: str) -> Record:
        """One user, project, domain or role."""

    @call("1.0")
    def identity_create(self, ctx: RequestContext, *, kind: str, values: Record) -> Record:
        """A new user, project, domain or role."""

    @call("1.0")
    def identity_update(self, ctx: RequestContext, *, kind: str, ident: str,
                        values: Record) -> Record:
        """Change one; disabling or a new password revokes tokens."""

    @call("1.0")
    def identity_delete(self, ctx: RequestContext, *, kind: str, ident: str) -> None:
        """Delete one, revoking its tokens."""

    @call("1.0")
    def role_assignment_list(self, ctx: RequestContext, *, user_id: str | None = None,
                             project_id: str | None = None, role_id: str | None = None,
                             effective: bool = False) -> list[Record]:
        """Role assignments matching the filters."""

    @call("1.0")
    def role_assignment_add(self, ctx: RequestContext, *, user_id: str, project_id: str,
                            role_id: str) -> None:
        """Give a user a role on a project."""

    @call("1.0")
    def role_assignment_remove(self, ctx: RequestContext, *, user_id: str, project_id: str,
                               role_id: str) -> None:
        """Take the role away (and revoke the tokens that carried it)."""

    @call("1.0")
    def catalog_get(self, ctx: RequestContext) -> list[Record]:
        """The service catalog's endpoints."""

    @call("1.0")
    def catalog_set(self, ctx: RequestContext, *, endpoints: list[Record]) -> None:
        """Replace the service catalog's endpoints."""

    @call("1.0")
    def token_revoke(self, ctx: RequestContext, *, audit_id: str, expires_at: str) -> None:
        """Revoke one token (and the tokens re-scoped from it)."""

    @call("1.0")
    def revocation_events(self, ctx: RequestContext, *, after_id: int = 0) -> list[Record]:
        """Revocation events newer than `after_id`, oldest first."""
