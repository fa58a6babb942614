"""The compute service layer, as Nova's nova/compute/api.py: what the compute API
handlers do once a request is validated and authorized. Functions take the
RequestContext (and the request version where behaviour depends on it) and plain
arguments, return plain dicts and raise stratus.exception errors; they know nothing of
HTTP. Only this package uses the RPC clients (tests/test_architecture.py checks the
handlers).

Policy checks that depend on what a request asks for (forcing a host, all tenants,
host status) are made here; the handler makes the check of the action itself."""
from __future__ import annotations

from compute_api.service.actions import (CHANGE_PASSWORD, POWER_ACTIONS, PowerAction,
                                         RESCUE, RESTORE, SHELVE_OFFLOAD, UNRESCUE,
                                         UNSHELVE, change_password, console_output,
                                         create_backup, create_snapshot, evacuate_server,
                                         lock_server, locked_by_someone_else, reboot_action,
                                         rebuild_server, remove_server, require_host,
                                         rescue_server, reset_state, server_diagnostics,
                                         shelve_server, start_power_action,
                                         trigger_crash_dump, unlock_server, unshelve_server)
from compute_api.service.aggregates import (add_aggregate_host, cache_aggregate_images,
                                            create_aggregate, delete_aggregate,
                                            get_aggregate, list_aggregates, parse_aggregate_id,
                                            remove_aggregate_host, set_aggregate_metadata,
                                            update_aggregate)
from compute_api.service.availability_zones import (zone_details, zone_states)
from compute_api.service.external_events import deliver_external_events
from compute_api.service.flavors import (add_flavor_access, create_flavor, delete_flavor,
                                         delete_flavor_extra_spec, flavor_access_list,
                                         flavor_extra_spec, flavor_extra_specs, get_flavor,
                                         list_flavors, remove_flavor_access,
                                         set_flavor_extra_specs, update_flavor_description)
from compute_api.service.hosts import (host_power_action, host_resources, host_statuses,
                                       list_hosts, liveness, update_host)
from compute_api.service.hypervisors import TOTALS as HYPERVISOR_TOTALS
from compute_api.service.hypervisors import (get_hypervisor, hypervisor_statistics,
                                             hypervisor_uptime, list_hypervisors, public_id,
                                             uptime_of)
from compute_api.service.images import (check_image_rule, delete_image, get_image, image_filters,
                                        image_metadata_item, list_images, update_image_metadata)
from compute_api.service.instance_actions import (action_owner, get_instance_action,
                                                  list_instance_actions)
from compute_api.service.keypairs import (create_keypair, delete_keypair, get_keypair,
                                          list_keypairs)
from compute_api.service.metadata import (server_metadata_item, update_server_metadata)
from compute_api.service.migrations import (confirm_resize, list_migrations, migrate_server,
                                            resize_server, revert_resize)
from compute_api.service.networks import (add_network_to_project, associate_network,
                                          create_network, delete_network,
                                          delete_tenant_network, get_fixed_ip, get_network,
                                          get_tenant_network, list_networks,
                                          list_tenant_networks, network_values,
                                          reserve_fixed_ip, tenant_network_values,
                                          virtual_interfaces)
from compute_api.service.quotas import (default_quotas, delete_quotas, limits_usage, quota_class,
                                        quota_limits, quota_usage, update_quota_class,
                                        update_quotas)
from compute_api.service.server_groups import (create_server_group, delete_server_group,
                                               get_server_group, list_server_groups)
from compute_api.service.server_password import clear_server_password, server_password
from compute_api.service.servers import (SERVER_POLICY, check_image_fits_flavor, check_user_data,
                                         counts, create_servers, delete_server, get_server,
                                         list_servers, owner_filter, parse_zone,
                                         refuse_trusted_certificates, resolve_image, show_server,
                                         split_zone, target, update_server)
from compute_api.service.services import (delete_service, disable_service, enable_service,
                                          force_down_service, list_services, parse_service_id,
                                          stored_binary, update_compute_service, wire_binary)
from compute_api.service.tags import add_tag, remove_tag, replace_tags, require_tag
from compute_api.service.usage import (audit_timestamp, instance_usage_audit_log, tenant_usages,
                                       usage_window)

__all__ = [
    "CHANGE_PASSWORD", "HYPERVISOR_TOTALS", "POWER_ACTIONS", "PowerAction", "RESCUE",
    "RESTORE", "SERVER_POLICY", "SHELVE_OFFLOAD", "UNRESCUE", "UNSHELVE", "action_owner",
    "add_aggregate_host", "add_flavor_access", "add_network_to_project", "add_tag",
    "associate_network", "audit_timestamp", "cache_aggregate_images", "change_password",
    "check_image_fits_flavor", "check_image_rule", "check_user_data", "confirm_resize",
    "console_output", "counts", "create_aggregate", "create_backup", "create_flavor",
    "create_keypair", "create_network", "create_server_group", "create_servers",
    "create_snapshot", "default_quotas", "delete_aggregate", "delete_flavor",
    "delete_flavor_extra_spec", "delete_image", "delete_keypair", "delete_network",
    "delete_quotas", "delete_server", "delete_server_group", "delete_service",
    "delete_tenant_network", "deliver_external_events", "disable_service", "enable_service",
    "evacuate_server", "flavor_access_list", "flavor_extra_spec", "flavor_extra_specs",
    "force_down_service", "get_aggregate", "get_fixed_ip", "get_flavor", "get_hypervisor",
    "get_image", "get_instance_action", "get_keypair", "get_network", "get_server",
    "get_server_group", "get_tenant_network", "host_power_action", "host_resources",
    "host_statuses", "hypervisor_statistics", "hypervisor_uptime", "image_filters",
    "image_metadata_item", "instance_usage_audit_log", "limits_usage", "list_aggregates",
    "list_flavors", "list_hosts", "list_hypervisors", "list_images",
    "list_instance_actions", "list_keypairs", "list_migrations", "list_networks",
    "list_server_groups", "list_servers", "list_services", "list_tenant_networks",
    "liveness", "lock_server", "locked_by_someone_else", "migrate_server", "network_values",
    "owner_filter", "parse_aggregate_id", "parse_service_id", "parse_zone", "public_id",
    "quota_class", "quota_limits", "quota_usage", "reboot_action", "rebuild_server",
    "refuse_trusted_certificates", "remove_aggregate_host", "remove_flavor_access",
    "remove_server", "remove_tag", "replace_tags", "require_host", "require_tag",
    "rescue_server", "reserve_fixed_ip", "reset_state", "resize_server", "resolve_image",
    "revert_resize", "server_diagnostics", "server_metadata_item", "server_password",
    "clear_server_password", "set_aggregate_metadata",
    "set_flavor_extra_specs", "shelve_server", "show_server", "split_zone",
    "start_power_action", "stored_binary", "target", "tenant_network_values",
    "tenant_usages", "trigger_crash_dump", "unlock_server", "unshelve_server",
    "update_aggregate", "update_compute_service", "update_flavor_description",
    "update_host", "update_image_metadata", "update_quota_class", "update_quotas",
    "update_server", "update_server_metadata", "uptime_of", "usage_window",
    "virtual_interfaces", "wire_binary", "zone_details", "zone_states",
]
