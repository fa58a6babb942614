"""Every model Stratus stores, gathered from the domains (conductor/*/models.py) so that
`Base.metadata` is the whole schema: alembic (migrations/env.py), `create_schema` and the
migrations test read it from here. Only the conductor imports this."""
from __future__ import annotations

from conductor.compute.models import (Flavor, FlavorProject, Instance, InstanceAction,
                                      InstanceActionEvent, InstanceFault, InstanceGroup,
                                      InstanceGroupMember, KeyPair, Quota, QuotaClass,
                                      TaskLog)
from conductor.db.base import Base, TimestampMixin, utcnow
from conductor.hosts.models import Aggregate, AggregateHost, ComputeNode, Service
from conductor.identity.models import (CatalogEndpoint, Project, RevocationEvent, Role,
                                       RoleAssignment, User)
from conductor.image.models import Image
from conductor.network.models import (FixedIp, FloatingIp, Network, SecurityGroup,
                                      SecurityGroupDefaultRule,
                                      SecurityGroupInstanceAssociation, SecurityGroupRule,
                                      VirtualInterface)

__all__ = [
    "Base", "TimestampMixin", "utcnow",
    # identity
    "Project", "User", "Role", "RoleAssignment", "RevocationEvent", "CatalogEndpoint",
    # image
    "Image",
    # compute
    "Flavor", "FlavorProject", "KeyPair", "Instance", "InstanceFault", "Quota",
    "QuotaClass", "InstanceAction", "InstanceActionEvent", "InstanceGroup",
    "InstanceGroupMember", "TaskLog",
    # hosts
    "Service", "ComputeNode", "Aggregate", "AggregateHost",
    # network
    "Network", "FixedIp", "VirtualInterface", "FloatingIp", "SecurityGroup",
    "SecurityGroupRule", "SecurityGroupInstanceAssociation", "SecurityGroupDefaultRule",
]
