"""The previous release's conductor contract: topic `conductor`, version 1.3, one table of
method names. Services of that release (an API process, a compute agent not yet upgraded)
still send it during a rolling upgrade; conductor/release1.py serves it by handing each
method to the domain endpoint that now owns it. Frozen: it is removed in release 3.

Version history (as it was):
  1.0 - identity, images, flavors, key pairs, instances, quotas, services.
  1.1 - instance actions (start, finish, list, get), instance_power_sync.
  1.2 - aggregates, server groups, service_get and services by uuid, instance_action_list
        paging, ping, instance_evacuate.
  1.3 - revocation_events (token_revocation_list, for 1.2 API processes, is not served:
        those are two releases old).
"""
from __future__ import annotations

TOPIC = "conductor"
VERSION = "1.3"

# method name -> the domain contract (conductor/rpcapi/<domain>.py) that now has it.
METHODS: dict[str, str] = {
    **{m: "identity" for m in (
        "identity_authenticate", "identity_token_scope", "identity_list", "identity_get",
        "identity_create", "identity_update", "identity_delete", "role_assignment_list",
        "role_assignment_add", "role_assignment_remove", "catalog_get", "catalog_set",
        "token_revoke", "revocation_events")},
    **{m: "image" for m in (
        "image_create", "image_get", "image_list", "image_update", "image_delete")},
    **{m: "compute" for m in (
        "flavor_create", "flavor_get", "flavor_list", "flavor_update", "flavor_delete",
        "flavor_extra_specs_update", "flavor_extra_spec_delete", "flavor_access_add",
        "flavor_access_remove", "keypair_create", "keypair_get", "keypair_list",
        "keypair_delete", "instances_create", "schedule_and_build_instances",
        "instance_get", "instance_list", "instance_update", "instance_metadata_update",
        "instance_delete", "instance_destroy", "instance_build_failed",
        "instance_power_sync", "instance_evacuate", "instance_action_start",
        "instance_action_finish", "instance_action_list", "instance_action_get",
        "quota_get", "quota_update", "quota_delete", "quota_class_get",
        "quota_class_update", "quota_usage", "server_group_create", "server_group_get",
        "server_group_list", "server_group_delete")},
    **{m: "hosts" for m in (
        "ping", "service_report", "service_list", "service_get", "service_update",
        "service_delete", "compute_node_report", "host_states", "aggregate_list",
        "aggregate_get", "aggregate_create", "aggregate_update", "aggregate_delete",
        "aggregate_add_host", "aggregate_remove_host", "aggregate_set_metadata")},
}
