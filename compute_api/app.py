"""The compute API application: Nova's v2.1 API, with microversions."""
from __future__ import annotations

from fastapi import FastAPI

from compute_api import (aggregates, availability_zones, extensions, fixed_ips,
                         floating_ip_pools, floating_ips, floating_ips_bulk, flavors,
                         hosts, hypervisors, images, instance_actions,
                         instance_usage_audit_log, keypairs, migrations, multinic,
                         networks, quota_sets, security_groups, server_actions,
                         server_external_events, server_groups, server_metadata,
                         server_password, server_shares, server_tags, servers, services,
                         simple_tenant_usage, tenant_networks, topology, versions,
                         virtual_interfaces)
from compute_api.microversion import MicroversionMiddleware
from conductor import revocation_events
from stratus import launcher
from stratus.api.app import make_app
from stratus.api.revocations import revocations
from stratus.config import CONF
from stratus.plugins import ServicePlugin

ROUTERS = [versions.router, servers.router, server_metadata.router, server_actions.router,
           instance_actions.router, flavors.router,
           keypairs.router, quota_sets.router, services.router, hypervisors.router,
           availability_zones.router, aggregates.router, server_groups.router, hosts.router,
           extensions.router, images.router, images.metadata_router,
           simple_tenant_usage.router, instance_usage_audit_log.router, migrations.router,
           server_external_events.router, topology.router, server_shares.router,
           server_tags.router, server_password.router, networks.router,
           tenant_networks.router, fixed_ips.router,
           virtual_interfaces.router, floating_ips.router, floating_ip_pools.router,
           floating_ips_bulk.router, security_groups.router]
# Modules that only add server actions to server_actions.router (on import).
ACTION_MODULES = [multinic]


def create_app() -> FastAPI:
    revocations.use(revocation_events)
    app = make_app("stratus-compute", "nova", extra_request_id_headers=("x-compute-request-id",))
    app.add_middleware(MicroversionMiddleware)
    for router in ROUTERS:
        app.include_router(router)
    return app


def listen() -> tuple[str, int]:
    return CONF.compute_api.listen, CONF.compute_api.port


PLUGIN = ServicePlugin(name="compute_api", app=create_app, listen=listen)


def main() -> None:
    """stratus-api: the compute REST API on its own."""
    launcher.main(["compute_api"])
