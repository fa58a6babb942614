"""Default policy rules, one module per API; `list_rules` is the oslo.policy entry point."""
from __future__ import annotations

from oslo_policy import policy

from stratus.policies import base, compute, identity, image


def list_rules() -> list[policy.RuleDefault]:
    return [*base.rules, *compute.rules, *identity.rules, *image.rules]
