"""Control-plane time of a real boot: accepted POST /servers -> libvirt starts the domain.

Starts `stratus-all` with the libvirt driver and its own private libvirtd (as `make up`
does), uploads the test guest, then boots servers one after another and prints the time
from the accepted POST to libvirt's "started" lifecycle event, which excludes the guest's
own boot. The first boot also downloads the image into the cache; the rest hit the cache.
A benchmark, not a test. Needs root, libvirt and qemu (see `make host-packages`).
"""
from __future__ import annotations

import pathlib
import statistics
import sys
import tempfile
import threading
import time

import libvirt

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from stratus_tools.guest import upload  # noqa: E402
from tests.functional.embedded import EmbeddedCloud  # noqa: E402

BOOTS = 6


def main() -> None:
    with tempfile.TemporaryDirectory() as state:
        cloud = EmbeddedCloud(pathlib.Path(state) / "state", {"OS_COMPUTE__VIRT_DRIVER": "auto"})
        cloud.start()
        try:
            run(cloud)
        finally:
            cloud.stop()
            report_hypervisor_share(cloud)


def report_hypervisor_share(cloud: EmbeddedCloud) -> None:
    """The compute agent logs each spawn's steps; libvirt's define+start is qemu's own
    start-up, so the control plane's share is the rest."""
    spawns = [line.split(" in ", 1)[1] for line in cloud.log.read_text().splitlines()
              if "Spawned " in line]
    print("compute agent's account of each spawn:", *spawns, sep="\n  ")
    hypervisor = [float(s.split("define+start ")[1].split(" ms")[0]) for s in spawns[1:]]
    if hypervisor and TIMES:
        control = [t * 1000 - h for t, h in zip(TIMES[1:], hypervisor)]
        print(f"control-plane time (accepted -> domain started, minus libvirt/qemu "
              f"define+start), cached image: p50 {statistics.median(control):.0f} ms")


TIMES: list[float] = []


def run(cloud: EmbeddedCloud) -> None:
    log = cloud.log.read_text()
    if "Started a private libvirtd" not in log:
        sys.exit("libvirt is not usable here; stratus-all fell back to the fake driver")
    uri = log.split("Started a private libvirtd (")[1].split(")")[0]
    cloud.run("stratus", "image", "build-test-guest", "--clouds-yaml", str(cloud.clouds_yaml))
    client, image_url = upload.session_from_clouds_yaml(cloud.clouds_yaml)
    image = client.get(f"{image_url}/v2/images?name=stratus-test-guest").json()["images"][0]

    started: dict[str, float] = {}
    event = threading.Condition()
    libvirt.virEventRegisterDefaultImpl()
    threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)],
                     daemon=True).start()
    conn = libvirt.open(uri)

    def on_event(_c: object, dom: libvirt.virDomain, kind: int, _d: int, _o: object) -> None:
        if kind == libvirt.VIR_DOMAIN_EVENT_STARTED:
            with event:
                started[dom.UUIDString()] = time.perf_counter()
                event.notify_all()
    conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_event, None)

    times = []
    for i in range(BOOTS):
        accepted_resp = client.post(f"{cloud.compute_url}/v2.1/servers", headers={
            "OpenStack-API-Version": "compute 2.47"}, json={"server": {
                "name": f"bench-{i}", "imageRef": image["id"], "flavorRef": "1",
                "networks": "none"}})
        accepted = time.perf_counter()
        sid = accepted_resp.json()["server"]["id"]
        with event:
            event.wait_for(lambda: sid in started, timeout=120)
        times.append(started[sid] - accepted)
        client.delete(f"{cloud.compute_url}/v2.1/servers/{sid}")
        while client.get(f"{cloud.compute_url}/v2.1/servers/{sid}").status_code != 404:
            time.sleep(0.05)
    TIMES.extend(times)
    first, rest = times[0], times[1:]
    print("Stratus, libvirt driver (qemu TCG, private libvirtd), test guest on m1.tiny")
    print(f"accepted POST /servers -> domain started: first boot (image download) "
          f"{first * 1000:.0f} ms; cached image p50 {statistics.median(rest) * 1000:.0f} ms, "
          f"max {max(rest) * 1000:.0f} ms over {len(rest)} boots")


if __name__ == "__main__":
    main()
