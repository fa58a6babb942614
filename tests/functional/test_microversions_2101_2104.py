"""Microversions 2.101 to 2.104: flavors without rxtx_factor and disabled, a name filter
and every API refusing query parameters it does not take (2.102); pinning a server to
its zone or unpinning it with PUT (2.104). 2.101 and 2.103 touch APIs not served here
(volume attachments, os-volumes_boot)."""
from __future__ import annotations

from tests.functional.conftest import Cloud
from tests.functional.microversions import at


def test_flavors_at_2_102(cloud: Cloud) -> None:
    admin = cloud.headers()
    old = cloud.compute.get("/v2.1/flavors/1", headers=at(admin, 101)).json()["flavor"]
    new = cloud.compute.get("/v2.1/flavors/1", headers=at(admin, 102)).json()["flavor"]
    assert "rxtx_factor" in old and "OS-FLV-DISABLED:disabled" in old
    assert "rxtx_factor" not in new and "OS-FLV-DISABLED:disabled" not in new
    named = cloud.compute.get("/v2.1/flavors/detail", params={"name": "m1.small"},
                              headers=at(admin, 102)).json()["flavors"]
    assert [f["id"] for f in named] == ["2"]
    assert cloud.compute.get("/v2.1/flavors", params={"name": "m1.small"},
                             headers=at(admin, 101)).status_code == 400
    assert cloud.compute.get("/v2.1/flavors", params={"sort_key": "rxtx_factor"},
                             headers=at(admin, 102)).status_code == 400
    body = {"flavor": {"name": "f", "ram": 64, "vcpus": 1, "disk": 1, "rxtx_factor": 2.0}}
    assert cloud.compute.post("/v2.1/flavors", headers=at(admin, 102),
                              json=body).status_code == 400
    assert cloud.compute.post("/v2.1/flavors", headers=at(admin, 101),
                              json=body).status_code == 200


def test_every_api_refuses_unknown_query_parameters_from_2_102(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.active_server(admin)
    for path in (f"/v2.1/servers/{sid}", "/v2.1/flavors/1", "/v2.1/os-aggregates",
                 "/v2.1/os-availability-zone", f"/v2.1/servers/{sid}/metadata",
                 f"/v2.1/servers/{sid}/ips", "/v2.1/extensions",
                 "/v2.1/os-quota-class-sets/default"):
        assert cloud.compute.get(path, params={"bogus": "1"}, headers=at(admin, 101)
                                 ).status_code == 200, path
        refused = cloud.compute.get(path, params={"bogus": "1"}, headers=at(admin, 102))
        assert refused.status_code == 400, path
        assert "bogus" in refused.json()["badRequest"]["message"]
    # What an API takes still works.
    for path, params in (("/v2.1/servers/detail", {"limit": "1", "status": "ACTIVE"}),
                         ("/v2.1/os-keypairs", {"limit": "1"}),
                         ("/v2.1/os-hypervisors", {"with_servers": "true"}),
                         ("/v2.1/os-migrations", {"limit": "1"}),
                         ("/v2.1/os-services", {"binary": "nova-compute"})):
        resp = cloud.compute.get(path, params=params, headers=at(admin, 102))
        assert resp.status_code == 200, (path, resp.text)


def test_pin_and_unpin_a_server_with_put_from_2_104(cloud: Cloud) -> None:
    admin = cloud.headers()
    sid = cloud.active_server(admin)
    url = f"/v2.1/servers/{sid}"

    def put(zone: str | None, minor: int = 104) -> object:
        return cloud.compute.put(url, headers=at(admin, minor),
                                 json={"server": {"pinned_availability_zone": zone}})

    assert put("nova", minor=103).status_code == 400
    pinned = put("nova")
    assert pinned.status_code == 200, pinned.text
    assert pinned.json()["server"]["pinned_availability_zone"] == "nova"
    assert put("nova").status_code == 200  # idempotent
    elsewhere = put("west")
    assert elsewhere.status_code == 409
    assert "can only be pinned to the zone it is in" in elsewhere.text
    unpinned = put(None)
    assert unpinned.status_code == 200
    assert unpinned.json()["server"]["pinned_availability_zone"] is None
    assert put("west").status_code == 409
