"""Rules the per-API policies are built from: Nova's default personas."""
from __future__ import annotations

from oslo_policy import policy

ADMIN = "rule:admin_api"
PROJECT_READER_OR_ADMIN = "rule:project_reader_or_admin"
PROJECT_MEMBER_OR_ADMIN = "rule:project_member_or_admin"
PROJECT_MANAGER_OR_ADMIN = "rule:project_manager_or_admin"
SERVICE_OR_ADMIN = "rule:service_or_admin"
ANY = "@"

rules = [
    policy.RuleDefault("context_is_admin", "role:admin",
                       "Decides who is an administrator."),
    policy.RuleDefault("admin_api", "role:admin", "Administrators only."),
    policy.RuleDefault("service_api", "role:service",
                       "Another OpenStack service acting for itself."),
    policy.RuleDefault("service_or_admin", "rule:service_api or rule:context_is_admin",
                       "Another service or an administrator."),
    policy.RuleDefault("project_member_api",
                       "role:member and project_id:%(project_id)s",
                       "A member of the project that owns the resource."),
    policy.RuleDefault("project_manager_api",
                       "role:manager and project_id:%(project_id)s",
                       "A manager of the project that owns the resource."),
    policy.RuleDefault("project_reader_api",
                       "role:reader and project_id:%(project_id)s",
                       "A reader of the project that owns the resource."),
    policy.RuleDefault("project_member_or_admin",
                       "rule:project_member_api or rule:context_is_admin",
                       "A project member or an administrator."),
    policy.RuleDefault("project_manager_or_admin",
                       "rule:project_manager_api or rule:context_is_admin",
                       "A project manager or an administrator."),
    policy.RuleDefault("project_reader_or_admin",
                       "rule:project_reader_api or rule:context_is_admin",
                       "A project reader or an administrator."),
    policy.RuleDefault("owner_or_admin",
                       "rule:admin_api or user_id:%(user_id)s",
                       "The user owning the resource or an administrator."),
]


def api_rule(name: str, check_str: str, description: str, method: str,
             path: str) -> policy.DocumentedRuleDefault:
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{"method": method, "path": path}])
