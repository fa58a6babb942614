"""Schemas are compiled once: requests with bodies leave the validator cache as it was."""
from __future__ import annotations

import itertools

from stratus.api import validation
from tests.functional.conftest import Cloud


def _requests(cloud: Cloud) -> list[tuple[object, str, str, dict[str, object]]]:
    """(client, method, path, body) of requests that each validate a body."""
    return [
        (cloud.compute, "POST", "/v2.1/servers", {"server": {"name": 5}}),
        (cloud.compute, "POST", "/v2.1/servers/x/action", {"createImage": {}}),
        (cloud.compute, "POST", "/v2.1/os-keypairs", {"keypair": {}}),
        (cloud.compute, "POST", "/v2.1/flavors", {"flavor": {"name": "f"}}),
        (cloud.compute, "POST", "/v2.1/os-server-groups", {"server_group": {}}),
        (cloud.compute, "PUT", "/v2.1/os-quota-sets/p", {"quota_set": {"ram": "-5"}}),
        (cloud.identity, "POST", "/v3/users", {"user": {}}),
        (cloud.identity, "POST", "/v3/auth/tokens", {"auth": {}}),
    ]


def test_a_thousand_requests_leave_the_validator_cache_as_it_was(cloud: Cloud) -> None:
    headers = {**cloud.headers(), "OpenStack-API-Version": "compute 2.64"}
    versions = itertools.cycle(["2.1", "2.19", "2.37", "2.55", "2.64"])
    requests = itertools.cycle(_requests(cloud))

    def send(count: int) -> None:
        for _ in range(count):
            client, method, path, body = next(requests)
            resp = client.request(method, path, json=body, headers={  # type: ignore[attr-defined]
                **headers, "OpenStack-API-Version": f"compute {next(versions)}"})
            assert resp.status_code in (400, 404), (path, resp.text)

    send(80)  # every request at every version once: whatever is cached is cached now
    warm = len(validation._cache)
    send(1000)
    assert len(validation._cache) == warm
