"""oslo.policy enforcement with defaults in code (stratus.policies).

Operators override rules in `policy.yaml` (looked up beside the config file,
then in etc/stratus/); `oslopolicy-sample-generator --namespace stratus`
prints every rule with its default.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from oslo_policy import policy as oslo_policy

from stratus import exception
from stratus.config import CONF
from stratus.context import RequestContext
from stratus.policies import list_rules

_enforcer: oslo_policy.Enforcer | None = None
_lock = threading.Lock()


def _policy_path() -> str | None:
    name = CONF.oslo_policy.policy_file
    if os.path.isabs(name):
        return name if os.path.exists(name) else None
    for folder in [*CONF.config_dirs, *(os.path.dirname(f) for f in CONF.config_file),
                   "etc/stratus"]:
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return os.path.abspath(path)
    return None


def get_enforcer() -> oslo_policy.Enforcer:
    global _enforcer
    with _lock:
        if _enforcer is None:
            path = _policy_path()
            enforcer = oslo_policy.Enforcer(CONF, policy_file=path)
            enforcer.register_defaults(list_rules())
            enforcer.load_rules()
            _enforcer = enforcer
        return _enforcer


def reset() -> None:
    global _enforcer
    with _lock:
        _enforcer = None


def default_target(ctx: RequestContext) -> dict[str, Any]:
    return {"project_id": ctx.project_id, "user_id": ctx.user_id}


def authorize(ctx: RequestContext, action: str,
              target: dict[str, Any] | None = None) -> None:
    target = target if target is not None else default_target(ctx)
    try:
        get_enforcer().authorize(action, target, ctx.to_policy_values(),
                                 do_raise=True)
    except oslo_policy.PolicyNotAuthorized as e:
        raise exception.PolicyNotAuthorized(action=action) from e


def check(ctx: RequestContext, action: str,
          target: dict[str, Any] | None = None) -> bool:
    target = target if target is not None else default_target(ctx)
    return bool(get_enforcer().authorize(action, target, ctx.to_policy_values(),
                                         do_raise=False))
