"""/os-server-external-events: each event answered on its own, the accepted ones handed
to the compute agent of the server's host."""
from __future__ import annotations

import logging
import time
import uuid

import pytest

from tests.functional.conftest import Cloud

URL = "/v2.1/os-server-external-events"


def _active(cloud: Cloud) -> str:
    admin = cloud.headers()
    sid = cloud.boot(admin, cloud.create_image(admin)["id"])["id"]
    assert cloud.wait_for_server(admin, sid)["status"] == "ACTIVE"
    return sid


def test_events_are_answered_one_by_one_and_reach_the_agent(
        cloud: Cloud, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="compute_agent.manager")
    admin = cloud.headers()
    sid = _active(cloud)
    offloaded = _active(cloud)
    shelve = cloud.compute.post(f"/v2.1/servers/{offloaded}/action", headers=admin,
                                json={"shelve": None})
    assert shelve.status_code == 202
    cloud.wait_for_server(admin, offloaded, until=("SHELVED_OFFLOADED",))
    missing = str(uuid.uuid4())
    events = [{"name": "network-changed", "server_uuid": sid},
              {"name": "network-vif-plugged", "server_uuid": sid, "tag": "port-1",
               "status": "failed"},
              {"name": "network-changed", "server_uuid": missing},
              {"name": "network-vif-deleted", "server_uuid": offloaded, "tag": "port-2"}]
    resp = cloud.compute.post(URL, headers=admin, json={"events": events})
    assert resp.status_code == 207, resp.text
    assert [(e["code"], e["status"]) for e in resp.json()["events"]] == [
        (200, "completed"), (200, "completed"), (404, "failed"), (422, "failed")]
    assert resp.json()["events"][1]["tag"] == "port-1"
    deadline = time.monotonic() + 5
    while f"Event network-vif-plugged:port-1 (failed) for instance {sid}" not in caplog.text:
        assert time.monotonic() < deadline, caplog.text
        time.sleep(0.02)
    only_good = cloud.compute.post(URL, headers=admin, json={"events": events[:1]})
    assert only_good.status_code == 200


def test_only_services_and_admins_send_events_and_bad_ones_are_refused(cloud: Cloud) -> None:
    sid = _active(cloud)
    event = {"name": "network-changed", "server_uuid": sid}
    member = cloud.make_user("member")["headers"]
    assert cloud.compute.post(URL, headers=member, json={"events": [event]}).status_code == 403
    service = cloud.make_user("service")["headers"]
    assert cloud.compute.post(URL, headers=service, json={"events": [event]}).status_code == 200
    admin = cloud.headers()
    for bad in ({"events": []}, {"events": [{**event, "name": "power-update"}]},
                {"events": [{**event, "status": "done"}]}, {"events": [{"name": "x"}]},
                {"events": [{**event, "server_uuid": "not-a-uuid"}]}, {}):
        refused = cloud.compute.post(URL, headers=admin, json=bad)
        assert refused.status_code == 400, (bad, refused.text)
        assert refused.json()["badRequest"]["code"] == 400
