"""nova-network's multinic on the fake data plane: addFixedIp gives a running server a
further NIC with a fixed IP (its addresses, its virtual interfaces, the guest's NICs, the
agent's DHCP host and port chain), removeFixedIp takes one away; the errors a user gets,
the fixed_ips quota, and a NIC the host cannot plug given back."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from compute_agent.manager import ComputeManager
from compute_agent.virt.fake import FakeDriver
from conductor import rpcapi as conductor_rpcapi
from network_agent.fake_net import FakeNetDriver
from network_agent.manager import NetworkManager
from stratus.config import CONF
from stratus.context import get_admin_context
from tests.functional.conftest import Cloud

V = "2.43"


def _h(headers: dict[str, str], version: str = V) -> dict[str, str]:
    return {**headers, "OpenStack-API-Version": f"compute {version}"}


def _endpoint(cloud: Cloud, kind: type) -> Any:
    for service in cloud.services:
        for endpoint in service.endpoints:
            if isinstance(endpoint, kind) and endpoint.host == CONF.host:
                return endpoint
    raise AssertionError(f"no {kind.__name__}")


def _guest(cloud: Cloud) -> FakeDriver:
    driver = _endpoint(cloud, ComputeManager).driver
    assert isinstance(driver, FakeDriver)
    return driver


def _agent(cloud: Cloud) -> FakeNetDriver:
    driver = _endpoint(cloud, NetworkManager).driver
    assert isinstance(driver, FakeNetDriver)
    return driver


def _network(cidr: str, label: str, **values: Any) -> dict[str, Any]:
    return conductor_rpcapi.client().network_create(
        get_admin_context(), values={"label": label, "cidr": cidr, **values})


def _server(cloud: Cloud, headers: dict[str, str], net: dict[str, Any]) -> dict[str, Any]:
    image = cloud.create_image(cloud.headers(), visibility="public")["id"]
    sid = cloud.boot(headers, image, networks=[{"uuid": net["uuid"]}])["id"]
    server = cloud.wait_for_server(headers, sid)
    assert server["status"] == "ACTIVE", server
    return server


def _action(cloud: Cloud, headers: dict[str, str], sid: str, body: dict[str, Any],
            version: str = V) -> Any:
    return cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=_h(headers, version),
                              json=body)


def _add(cloud: Cloud, headers: dict[str, str], sid: str, network_id: Any,
         version: str = V) -> Any:
    return _action(cloud, headers, sid, {"addFixedIp": {"networkId": network_id}}, version)


def _remove(cloud: Cloud, headers: dict[str, str], sid: str, address: str,
            version: str = V) -> Any:
    return _action(cloud, headers, sid, {"removeFixedIp": {"address": address}}, version)


def _fixed(cloud: Cloud, headers: dict[str, str], sid: str) -> list[tuple[str, str, str]]:
    """(network label, address, MAC) of the server's fixed IPs, as GET shows them."""
    server = cloud.compute.get(f"/v2.1/servers/{sid}", headers=_h(headers)).json()["server"]
    return [(label, a["addr"], a["OS-EXT-IPS-MAC:mac_addr"])
            for label, items in server["addresses"].items() for a in items
            if a["OS-EXT-IPS:type"] == "fixed"]


def _vifs(cloud: Cloud, headers: dict[str, str], sid: str) -> list[dict[str, Any]]:
    resp = cloud.compute.get(f"/v2.1/servers/{sid}/os-virtual-interfaces",
                             headers=_h(headers))
    assert resp.status_code == 200, resp.text
    return list(resp.json()["virtual_interfaces"])


def _eventually(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the agents did not catch up in time"
        time.sleep(0.02)


def _message(resp: Any) -> str:
    return str(next(iter(resp.json().values()))["message"])


def test_add_and_remove_a_fixed_ip_plugs_and_unplugs_a_nic(cloud: Cloud,
                                                           flat_dhcp: None) -> None:
    first = _network("192.168.110.0/24", "first", bridge="br110")
    second = _network("192.168.111.0/24", "second", bridge="br111")
    member = cloud.make_user()["headers"]
    server = _server(cloud, member, first)
    sid = server["id"]
    [(_, ip1, mac1)] = _fixed(cloud, member, sid)

    resp = _add(cloud, member, sid, second["uuid"])
    assert resp.status_code == 202, resp.text
    assert resp.content == b""
    # The allocation is written before the answer: GET shows the second NIC at once.
    [(label1, _, _), (label2, ip2, mac2)] = _fixed(cloud, member, sid)
    assert (label1, label2, ip2) == ("first", "second", "192.168.111.2")
    assert mac2 != mac1 and mac2.startswith("fa:16:3e:")
    assert [(v["mac_address"], v["net_id"]) for v in _vifs(cloud, member, sid)] == [
        (mac1, first["uuid"]), (mac2, second["uuid"])]
    shown = cloud.compute.get(f"/v2.1/os-fixed-ips/{ip2}",
                              headers=_h(cloud.headers(), "2.35"))
    assert shown.json()["fixed_ip"]["host"] == CONF.host
    # The compute agent plugs it into the guest, its network readied first.
    guest, agent = _guest(cloud), _agent(cloud)
    _eventually(lambda: [n["mac"] for n in guest.nics(sid)] == [mac1, mac2])
    assert guest.nics(sid)[1]["bridge"] == "br111"
    assert [(h.mac, h.ip) for h in agent.dhcp_hosts(second["uuid"])] == [(mac2, ip2)]
    assert any(rule.startswith(f"-d {ip2}/32 -j stratus-i-")
               for rule in agent.chain("filter", "stratus-ports") or [])
    console = cloud.compute.post(f"/v2.1/servers/{sid}/action", headers=_h(member),
                                 json={"os-getConsoleOutput": {}}).json()["output"]
    assert f"NIC {mac2} plugged" in console

    resp = _remove(cloud, member, sid, ip1)
    assert resp.status_code == 202, resp.text
    assert resp.content == b""
    assert _fixed(cloud, member, sid) == [("second", ip2, mac2)]
    assert [v["mac_address"] for v in _vifs(cloud, member, sid)] == [mac2]
    _eventually(lambda: [n["mac"] for n in guest.nics(sid)] == [mac2])
    _eventually(lambda: agent.dhcp_hosts(first["uuid"]) == [])
    _eventually(lambda: not any(rule.startswith(f"-d {ip1}/32 ")
                                for rule in agent.chain("filter", "stratus-ports") or []))
    # The address is free again, and Nova records no instance action for either.
    freed = cloud.compute.get(f"/v2.1/os-fixed-ips/{ip1}",
                              headers=_h(cloud.headers(), "2.35"))
    assert freed.json()["fixed_ip"]["hostname"] is None
    actions = cloud.compute.get(f"/v2.1/servers/{sid}/os-instance-actions",
                                headers=_h(member)).json()["instanceActions"]
    assert [a["action"] for a in actions] == ["create"]


def test_a_stopped_server_gets_its_nic_for_its_next_start(cloud: Cloud,
                                                          flat_dhcp: None) -> None:
    net = _network("192.168.112.0/24", "one", bridge="br112")
    other = _network("192.168.113.0/24", "two", bridge="br113")
    admin = cloud.headers()
    sid = _server(cloud, admin, net)["id"]
    assert _action(cloud, admin, sid, {"os-stop": None}).status_code == 202
    assert cloud.wait_for_server(admin, sid, until=("SHUTOFF",))["status"] == "SHUTOFF"
    assert _add(cloud, admin, sid, other["uuid"]).status_code == 202
    _eventually(lambda: len(_guest(cloud).nics(sid)) == 2)
    assert [label for label, *_ in _fixed(cloud, admin, sid)] == ["one", "two"]


def test_multinic_errors_are_novas_and_change_nothing(cloud: Cloud, flat_dhcp: None) -> None:
    net = _network("192.168.120.0/24", "mine", bridge="br120")
    tiny = _network("192.168.121.0/29", "tiny", bridge="br121")  # .2 to .6
    owner = cloud.make_user()
    member = owner["headers"]
    private = _network("192.168.122.0/24", "theirs", bridge="br122",
                       project_id=cloud.make_user()["project_id"])
    sid = _server(cloud, member, net)["id"]
    before = _fixed(cloud, member, sid)
    [(_, ip, _)] = before

    unknown = "3f6c0e7a-0d51-4a5e-9d8b-000000000000"
    for network_id in (unknown, private["uuid"], 42):
        resp = _add(cloud, member, sid, network_id)
        assert resp.status_code == 404, resp.text
        assert resp.json() == {"itemNotFound": {
            "code": 404, "message": f"Network {network_id} could not be found."}}
    resp = _remove(cloud, member, sid, "192.168.120.200")
    assert resp.status_code == 400, resp.text
    assert resp.json() == {"badRequest": {"code": 400, "message": (
        f"Instance {sid} doesn't have fixed IP '192.168.120.200'.")}}
    for body in ({"addFixedIp": {}}, {"addFixedIp": {"networkId": ""}},
                 {"addFixedIp": {"networkId": "x" * 37}},
                 {"addFixedIp": {"networkId": net["uuid"], "extra": 1}},
                 {"addFixedIp": None}, {"removeFixedIp": {"address": "not-an-ip"}},
                 {"removeFixedIp": {}}):
        resp = _action(cloud, member, sid, body)
        assert resp.status_code == 400 and "badRequest" in resp.json(), (body, resp.text)
    # Removed in 2.44, as in Nova: whatever the body.
    for resp in (_add(cloud, member, sid, net["uuid"], "2.44"),
                 _remove(cloud, member, sid, ip, "2.44"),
                 _action(cloud, member, sid, {"addFixedIp": {}}, "2.44"),
                 _action(cloud, member, sid, {"addFloatingIp": {"nope": 1}}, "2.44")):
        assert resp.status_code == 404, resp.text
        assert "itemNotFound" in resp.json()
    assert _add(cloud, member, "0" * 8 + "-0000-0000-0000-" + "0" * 12,
                net["uuid"]).status_code == 404
    # Readers and other projects may not.
    reader = cloud.make_user("reader", project=owner["project_name"])["headers"]
    assert _add(cloud, reader, sid, net["uuid"]).status_code == 403
    assert _add(cloud, cloud.make_user()["headers"], sid, net["uuid"]).status_code == 404
    # A network with no address left is a 400, as Nova.
    for _ in range(5):
        assert _add(cloud, cloud.headers(), sid, tiny["uuid"]).status_code == 202
    full = _add(cloud, member, sid, tiny["uuid"])
    assert full.status_code == 400, full.text
    assert _message(full) == f"No fixed IP addresses available for network: {tiny['uuid']}"
    for _label, address, _mac in _fixed(cloud, member, sid)[1:]:
        assert _remove(cloud, member, sid, address).status_code == 202
    _eventually(lambda: len(_guest(cloud).nics(sid)) == 1)
    assert _fixed(cloud, member, sid) == before

    # A server locked by an admin refuses its owner; a paused one anybody.
    assert _action(cloud, cloud.headers(), sid, {"lock": None}).status_code == 202
    locked = _add(cloud, member, sid, net["uuid"])
    assert locked.status_code == 409, locked.text
    assert _message(locked) == f"Instance {sid} is locked"
    assert _remove(cloud, member, sid, ip).status_code == 409
    assert _action(cloud, cloud.headers(), sid, {"unlock": None}).status_code == 202
    assert _action(cloud, member, sid, {"pause": None}).status_code == 202
    cloud.wait_for_server(member, sid, until=("PAUSED",))
    paused = _add(cloud, member, sid, net["uuid"])
    assert paused.status_code == 409, paused.text
    assert _message(paused) == (f"Cannot 'addFixedIp' instance {sid} while it is in "
                                f"vm_state paused")
    assert _fixed(cloud, member, sid) == before
    assert [v["mac_address"] for v in _vifs(cloud, member, sid)] == [before[0][2]]


def test_fixed_ips_quota_limits_builds_and_add_fixed_ip(cloud: Cloud,
                                                        flat_dhcp: None) -> None:
    net = _network("192.168.130.0/24", "quota", bridge="br130")
    other = _network("192.168.131.0/24", "more", bridge="br131")
    user = cloud.make_user()
    admin = _h(cloud.headers(), "2.35")
    resp = cloud.compute.put(f"/v2.1/os-quota-sets/{user['project_id']}", headers=admin,
                             json={"quota_set": {"fixed_ips": 1}})
    assert resp.status_code == 200, resp.text
    sid = _server(cloud, user["headers"], net)["id"]
    over = _add(cloud, user["headers"], sid, other["uuid"])
    assert over.status_code == 403, over.text
    assert over.json() == {"forbidden": {"code": 403, "message": (
        "Quota exceeded for fixed_ips: requested 1, but already used 1 of 1 fixed_ips")}}
    detail = cloud.compute.get(f"/v2.1/os-quota-sets/{user['project_id']}/detail",
                               headers=admin).json()["quota_set"]["fixed_ips"]
    assert (detail["in_use"], detail["limit"]) == (1, 1)
    assert len(_fixed(cloud, user["headers"], sid)) == 1
    # A build over the quota ends in ERROR, its fault saying why.
    image = cloud.create_image(cloud.headers(), visibility="public")["id"]
    second = cloud.boot(user["headers"], image, networks=[{"uuid": net["uuid"]}])["id"]
    failed = cloud.wait_for_server(user["headers"], second)
    assert failed["status"] == "ERROR" and failed["addresses"] == {}
    assert failed["fault"]["code"] == 403
    assert "Quota exceeded for fixed_ips: requested 1, but already used 1 of 1" in \
        failed["fault"]["message"]
    assert conductor_rpcapi.client().virtual_interface_list(
        get_admin_context(), instance_uuid=second) == []
    # Unlimited again (-1, the default): both get their addresses.
    cloud.compute.put(f"/v2.1/os-quota-sets/{user['project_id']}", headers=admin,
                      json={"quota_set": {"fixed_ips": -1}})
    assert _add(cloud, user["headers"], sid, other["uuid"]).status_code == 202
    detail = cloud.compute.get(f"/v2.1/os-quota-sets/{user['project_id']}/detail",
                               headers=admin).json()["quota_set"]["fixed_ips"]
    assert (detail["in_use"], detail["limit"]) == (2, -1)


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "stopping meanwhile"])
def test_a_nic_the_host_cannot_plug_is_given_back(cloud: Cloud, flat_dhcp: None,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   busy: bool) -> None:
    """Also when another action (a stop) begins while the plug fails: the user-facing
    removeFixedIp would refuse that busy server and leak the address."""
    net = _network("192.168.140.0/24", "base", bridge="br140")
    extra = _network("192.168.141.0/24", "extra", bridge="br141")
    admin = cloud.headers()
    sid = _server(cloud, admin, net)["id"]
    before = _fixed(cloud, admin, sid)

    def refuse(instance: dict[str, Any], vif: dict[str, Any]) -> None:
        if busy:
            conductor_rpcapi.client().instance_update(
                get_admin_context(), instance_uuid=sid, values={"task_state": "powering-off"})
        raise RuntimeError("no free PCI slot")
    monkeypatch.setattr(_guest(cloud), "attach_interface", refuse)
    assert _add(cloud, admin, sid, extra["uuid"]).status_code == 202
    _eventually(lambda: _fixed(cloud, admin, sid) == before)
    assert len(_vifs(cloud, admin, sid)) == 1 and len(_guest(cloud).nics(sid)) == 1
    project = cloud.compute.get(f"/v2.1/servers/{sid}", headers=_h(admin)).json()[
        "server"]["tenant_id"]
    usage = cloud.compute.get(f"/v2.1/os-quota-sets/{project}/detail",
                              headers=admin).json()["quota_set"]["fixed_ips"]
    assert usage["in_use"] == 1  # the released address is free again
    _eventually(lambda: _agent(cloud).dhcp_hosts(extra["uuid"]) == [])
