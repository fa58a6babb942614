"""Policy defaults in code, overridden by an operator's policy.yaml."""
from __future__ import annotations

import pathlib

from stratus import policy
from stratus.config import CONF
from tests.functional.conftest import Cloud


def test_policy_yaml_overrides_a_default(cloud: Cloud, tmp_path: pathlib.Path) -> None:
    member = cloud.make_user("member")
    assert cloud.compute.get("/v2.1/flavors", headers=member["headers"]).status_code == 200
    rules = tmp_path / "policy.yaml"
    rules.write_text('"os_compute_api:flavors": "role:admin"\n')
    CONF.set_override("policy_file", str(rules), group="oslo_policy")
    policy.reset()
    try:
        denied = cloud.compute.get("/v2.1/flavors", headers=member["headers"])
        assert denied.status_code == 403
        assert denied.json()["forbidden"]["message"] == (
            "Policy doesn't allow os_compute_api:flavors to be performed.")
        assert cloud.compute.get("/v2.1/flavors", headers=cloud.headers()).status_code == 200
    finally:
        CONF.clear_override("policy_file", group="oslo_policy")
        policy.reset()


def test_sample_policy_lists_every_rule() -> None:
    from stratus.policies import list_rules
    sample = (pathlib.Path(__file__).parents[2] / "etc/stratus/policy.yaml.sample").read_text()
    missing = [r.name for r in list_rules() if f'"{r.name}"' not in sample]
    assert missing == [], "regenerate with oslopolicy-sample-generator --namespace stratus"
