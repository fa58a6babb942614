"""The compute service layer, as Nova's nova/compute/api.py: what the /servers handlers
do once a request is validated and authorized. Functions take the RequestContext (and
the request version where behaviour depends on it) and plain arguments, return plain
dicts and raise stratus.exception errors; they know nothing of HTTP. Only this package
uses the RPC clients (tests/test_architecture.py checks the handlers).

Policy checks that depend on what a request asks for (forcing a host, all tenants,
host status) are made here; the handler makes the check of the action itself."""
from __future__ import annotations

from compute_api.service.actions import (POWER_ACTIONS, PowerAction, console_output,
                                         create_snapshot, evacuate_server, reboot_action,
                                         rebuild_server, require_host, server_diagnostics,
                                         start_power_action)
from compute_api.service.hosts import host_statuses, liveness
from compute_api.service.servers import (SERVER_POLICY, check_image_fits_flavor,
                                         check_user_data, counts, create_servers,
                                         delete_server, get_server, list_servers,
                                         owner_filter, parse_zone, refuse_trusted_certificates,
                                         resolve_image, show_server, split_zone, target,
                                         update_server)

__all__ = [
    "POWER_ACTIONS", "PowerAction", "SERVER_POLICY", "check_image_fits_flavor",
    "check_user_data", "console_output", "counts", "create_servers", "create_snapshot",
    "delete_server", "evacuate_server", "get_server", "host_statuses", "list_servers",
    "liveness", "owner_filter", "parse_zone", "reboot_action", "rebuild_server",
    "refuse_trusted_certificates", "require_host", "resolve_image", "server_diagnostics",
    "show_server", "split_zone", "start_power_action", "target", "update_server",
]
