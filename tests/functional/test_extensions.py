"""/extensions: Nova's fixed list of v2.1 extension documents, for any caller."""
from __future__ import annotations

from tests.functional.conftest import Cloud
from tests.functional.microversions import at

KEYS = {"alias", "description", "links", "name", "namespace", "updated"}


def test_list_and_show_extensions(cloud: Cloud) -> None:
    member = cloud.make_user("member")["headers"]
    for minor in (1, 64):
        resp = cloud.compute.get("/v2.1/extensions", headers=at(member, minor))
        assert resp.status_code == 200, resp.text
        listed = resp.json()["extensions"]
        assert len(listed) == 99 and all(set(e) == KEYS for e in listed)
        aliases = [e["alias"] for e in listed]
        assert aliases == sorted(aliases) and len(set(aliases)) == len(aliases)
        assert {"name": "Hosts", "alias": "os-hosts"}.items() <= next(
            e for e in listed if e["alias"] == "os-hosts").items()
    shown = cloud.compute.get("/v2.1/extensions/os-consoles", headers=member)
    assert shown.status_code == 200
    assert shown.json() == {"extension": {
        "alias": "os-consoles", "name": "Consoles", "description": "Interactive Console support.",
        "links": [], "namespace": "http://docs.openstack.org/compute/ext/fake_xml",
        "updated": "2014-12-03T00:00:00Z"}}
    missing = cloud.compute.get("/v2.1/extensions/os-nothing", headers=member)
    assert missing.status_code == 404
    assert missing.json() == {"itemNotFound": {"code": 404,
                                               "message": "The resource could not be found."}}
    assert cloud.compute.get("/v2.1/extensions").status_code == 401
