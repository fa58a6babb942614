"""Service liveness, os-services and the admin CLI."""
from __future__ import annotations

import time

from typer.testing import CliRunner

from stratus.cli import app
from stratus.config import CONF
from tests.functional.conftest import Cloud

V211 = {"OpenStack-API-Version": "compute 2.11"}


def test_services_report_and_show_up(cloud: Cloud) -> None:
    admin = cloud.headers()
    services = cloud.compute.get("/v2.1/os-services", headers=admin).json()["services"]
    table = {(s["binary"], s["host"]): s for s in services}
    assert set(table) == {("nova-conductor", "testhost"), ("nova-scheduler", "testhost"),
                          ("nova-network", "testhost"), ("nova-compute", "testhost")}
    compute = table[("nova-compute", "testhost")]
    assert (compute["status"], compute["state"], compute["zone"]) == ("enabled", "up", "nova")
    assert table[("nova-conductor", "testhost")]["zone"] == "internal"


def test_service_goes_down_without_reports(cloud: Cloud) -> None:
    admin = cloud.headers()
    compute = [s for s in cloud.services if s.binary == "stratus-compute"][0]
    compute.stop()
    CONF.set_override("service_down_time", 2)
    deadline = time.monotonic() + 10
    while True:
        services = cloud.compute.get("/v2.1/os-services?binary=stratus-compute",
                                     headers=admin).json()["services"]
        if services[0]["state"] == "down":
            break
        assert time.monotonic() < deadline, services
        time.sleep(0.2)
    CONF.clear_override("service_down_time")


def test_disable_with_reason_keeps_builds_away(cloud: Cloud) -> None:
    admin = cloud.headers()
    resp = cloud.compute.put("/v2.1/os-services/disable-log-reason", headers=admin, json={
        "host": "testhost", "binary": "nova-compute", "disabled_reason": "maintenance"})
    assert resp.json() == {"service": {"host": "testhost", "binary": "nova-compute",
                                       "status": "disabled", "disabled_reason": "maintenance"}}
    listed = cloud.compute.get("/v2.1/os-services?binary=nova-compute",
                               headers=admin).json()["services"][0]
    assert listed["status"] == "disabled" and listed["disabled_reason"] == "maintenance"
    # Nova's binary names are what the compute API shows and takes; ours are taken too.
    assert listed["binary"] == "nova-compute"
    ours = cloud.compute.get("/v2.1/os-services?binary=stratus-compute", headers=admin)
    assert [s["binary"] for s in ours.json()["services"]] == ["nova-compute"]
    sid = cloud.boot(admin, cloud.create_image(admin)["id"])["id"]
    server = cloud.wait_for_server(admin, sid)
    assert server["status"] == "ERROR"
    assert "ComputeFilter removed 1 of 1 hosts" in server["fault"]["message"]
    resp = cloud.compute.put("/v2.1/os-services/enable", headers=admin,
                             json={"host": "testhost", "binary": "stratus-compute"})
    assert resp.json()["service"]["status"] == "enabled"
    missing = cloud.compute.put("/v2.1/os-services/enable", headers=admin,
                                json={"host": "nohost", "binary": "stratus-compute"})
    assert missing.status_code == 404
    bad = cloud.compute.put("/v2.1/os-services/disable", headers=admin, json={"host": "x"})
    assert bad.status_code == 400


def test_force_down(cloud: Cloud) -> None:
    admin = {**cloud.headers(), **V211}
    resp = cloud.compute.put("/v2.1/os-services/force-down", headers=admin, json={
        "host": "testhost", "binary": "stratus-compute", "forced_down": True})
    assert resp.json()["service"]["forced_down"] is True
    listed = cloud.compute.get("/v2.1/os-services?binary=stratus-compute",
                               headers=admin).json()["services"][0]
    assert listed["state"] == "down" and listed["forced_down"] is True


def test_cli_service_list_disable_enable(cloud: Cloud) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["service", "disable", "testhost", "stratus-compute",
                                 "--reason", "disk swap"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["service", "list"])
    assert result.exit_code == 0
    line = [ln for ln in result.output.splitlines() if "stratus-compute" in ln][0]
    assert "disabled" in line and "up" in line and "disk swap" in line
    result = runner.invoke(app, ["service", "enable", "testhost", "stratus-compute"])
    assert result.exit_code == 0
    assert "enabled" in [ln for ln in runner.invoke(app, ["service", "list"]).output
                         .splitlines() if "stratus-compute" in ln][0]
    missing = runner.invoke(app, ["service", "enable", "ghost", "stratus-compute"])
    assert missing.exit_code == 1
    version = runner.invoke(app, ["db", "version"])
    assert version.exit_code == 0


def test_cli_scheduler_explain(cloud: Cloud) -> None:
    runner = CliRunner()
    fits = runner.invoke(app, ["scheduler", "explain", "--flavor", "m1.tiny"])
    assert fits.exit_code == 0, fits.output
    assert "Hosts that fit, best first: testhost" in fits.output
    admin = cloud.headers()
    cloud.compute.post("/v2.1/flavors", headers=admin, json={"flavor": {
        "name": "giant", "id": "giant", "ram": 10_000_000, "vcpus": 1, "disk": 1}})
    none = runner.invoke(app, ["scheduler", "explain", "--flavor", "giant", "--az", "nova"])
    assert none.exit_code == 0, none.output
    ram = [line for line in none.output.splitlines() if line.startswith("RamFilter")][0]
    assert "less than 10000000 MB free RAM: testhost" in ram and " 1 " in ram
    assert "No valid host" in none.output
    zone = runner.invoke(app, ["scheduler", "explain", "--flavor", "1", "--az", "elsewhere"])
    assert "AvailabilityZoneFilter" in zone.output and "not in zone elsewhere" in zone.output
    missing = runner.invoke(app, ["scheduler", "explain", "--flavor", "nope"])
    assert missing.exit_code == 1
