"""The identity service layer, as Keystone's identity, assignment and token providers:
what the /v3 handlers do once a request is validated and authorized. Functions take the
RequestContext (where there is one: issuing a token has none) and plain arguments,
return plain dicts and raise stratus.exception errors; they know nothing of HTTP. Only
this package uses the RPC client (identity_api/service/clients.py)."""
from __future__ import annotations

from identity_api.service.resources import (DEFAULT_DOMAIN_ID, add_grant, caller_projects,
                                            check_domain, create_entity, creatable,
                                            delete_entity, get_domain, get_entity,
                                            grant_roles, has_grant, list_entities,
                                            list_role_assignments, remove_grant,
                                            update_entity, user_projects)
from identity_api.service.tokens import (UNAUTHORIZED, authenticate, catalog, catalog_of,
                                         check_token, domain_id, issue_token, revoke_token,
                                         scope_args, subject_payload, token_payload,
                                         validate_token, verified)

__all__ = [
    "DEFAULT_DOMAIN_ID", "UNAUTHORIZED", "add_grant", "authenticate", "caller_projects",
    "catalog", "catalog_of", "check_domain", "check_token", "creatable", "create_entity",
    "delete_entity", "domain_id", "get_domain", "get_entity", "grant_roles", "has_grant",
    "issue_token", "list_entities", "list_role_assignments", "remove_grant", "revoke_token",
    "scope_args", "subject_payload", "token_payload", "update_entity", "user_projects",
    "validate_token", "verified",
]
