"""Identity API policy defaults (names as in Keystone)."""
from __future__ import annotations

from stratus.policies.base import ADMIN, api_rule

I = "identity:%s"
SELF_OR_ADMIN = "rule:admin_api or user_id:%(target.user.id)s"
PROJECT_OR_ADMIN = "rule:admin_api or project_id:%(target.project.id)s"

rules = [
    api_rule(I % "validate_token", "rule:admin_api or user_id:%(target.token.user_id)s",
             "Validate a token", "GET", "/v3/auth/tokens"),
    api_rule(I % "check_token", "rule:admin_api or user_id:%(target.token.user_id)s",
             "Check a token", "HEAD", "/v3/auth/tokens"),
    api_rule(I % "revoke_token", "rule:admin_api or user_id:%(target.token.user_id)s",
             "Revoke a token", "DELETE", "/v3/auth/tokens"),
    api_rule(I % "list_projects", ADMIN, "List projects", "GET", "/v3/projects"),
    api_rule(I % "get_project", PROJECT_OR_ADMIN, "Show a project", "GET",
             "/v3/projects/{project_id}"),
    api_rule(I % "create_project", ADMIN, "Create a project", "POST", "/v3/projects"),
    api_rule(I % "update_project", ADMIN, "Update a project", "PATCH",
             "/v3/projects/{project_id}"),
    api_rule(I % "delete_project", ADMIN, "Delete a project", "DELETE",
             "/v3/projects/{project_id}"),
    api_rule(I % "list_user_projects", SELF_OR_ADMIN, "List a user's projects", "GET",
             "/v3/users/{user_id}/projects"),
    api_rule(I % "list_users", ADMIN, "List users", "GET", "/v3/users"),
    api_rule(I % "get_user", SELF_OR_ADMIN, "Show a user", "GET", "/v3/users/{user_id}"),
    api_rule(I % "create_user", ADMIN, "Create a user", "POST", "/v3/users"),
    api_rule(I % "update_user", ADMIN, "Update a user", "PATCH", "/v3/users/{user_id}"),
    api_rule(I % "delete_user", ADMIN, "Delete a user", "DELETE", "/v3/users/{user_id}"),
    api_rule(I % "list_roles", ADMIN, "List roles", "GET", "/v3/roles"),
    api_rule(I % "get_role", ADMIN, "Show a role", "GET", "/v3/roles/{role_id}"),
    api_rule(I % "create_role", ADMIN, "Create a role", "POST", "/v3/roles"),
    api_rule(I % "delete_role", ADMIN, "Delete a role", "DELETE", "/v3/roles/{role_id}"),
    api_rule(I % "create_grant", ADMIN, "Assign a role", "PUT",
             "/v3/projects/{project_id}/users/{user_id}/roles/{role_id}"),
    api_rule(I % "revoke_grant", ADMIN, "Unassign a role", "DELETE",
             "/v3/projects/{project_id}/users/{user_id}/roles/{role_id}"),
    api_rule(I % "list_role_assignments", ADMIN, "List role assignments", "GET",
             "/v3/role_assignments"),
]
