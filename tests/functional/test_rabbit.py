"""The same services and RPC contracts work unchanged over RabbitMQ (rabbit://)."""
from __future__ import annotations

import pathlib

from conductor import manage
from conductor import rpcapi as conductor_rpcapi
from stratus import exception, launcher
from stratus.config import CONF
from stratus.context import get_admin_context
from stratus.service import stop_all
from tests.functional.conftest import configure, reset_process_state, unconfigure
from tests.functional.servers import scratch_vhost


def test_conductor_calls_over_rabbitmq(tmp_path: pathlib.Path) -> None:
    with scratch_vhost() as url:
        configure(str(tmp_path))
        CONF.set_override("transport_url", url)
        reset_process_state()
        manage.create_schema()
        manage.bootstrap(admin_password="pw")
        services = launcher.rpc_services(["conductor", "scheduler", "network_agent", "compute_agent"])
        for service in services:
            service.start()
        try:
            ctx = get_admin_context()
            api = conductor_rpcapi.client()
            flavors = api.flavor_list(ctx)
            assert [f["name"] for f in flavors][:2] == ["m1.tiny", "m1.small"]
            try:
                api.flavor_get(ctx, flavorid="missing")
            except exception.FlavorNotFound as e:
                assert "missing could not be found" in str(e)
            else:
                raise AssertionError("FlavorNotFound did not cross the bus")
            hosts = api.host_states(ctx)
            assert [h["host"] for h in hosts] == ["testhost"]
        finally:
            stop_all(services)
            reset_process_state()
            unconfigure()
