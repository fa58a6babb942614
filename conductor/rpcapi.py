"""Wire contract of the conductor (topic `conductor`).

Version history:
  1.0 - identity, images, flavors, key pairs, instances, quotas, services.
  1.1 - instance actions (start, finish, list, get), instance_power_sync.
  1.2 - aggregates, server groups (instances_create takes request_spec["group"]),
        service_get and services by uuid, instance_action_list paging, ping,
        instance_evacuate.
  1.3 - revocation_events (by user, project, role or audit id); token_revocation_list
        stays for 1.2 API processes until they are upgraded.
"""
from __future__ import annotations

from stratus.rpc import RPCAPI

CALL, CAST = "call", "cast"


class ConductorAPI(RPCAPI):
    TOPIC = "conductor"
    VERSION = "1.3"
    METHODS = {
        # identity
        "identity_authenticate": CALL,
        "identity_token_scope": CALL,
        "identity_list": CALL,
        "identity_get": CALL,
        "identity_create": CALL,
        "identity_update": CALL,
        "identity_delete": CALL,
        "role_assignment_list": CALL,
        "role_assignment_add": CALL,
        "role_assignment_remove": CALL,
        "catalog_get": CALL,
        "catalog_set": CALL,
        "token_revoke": CALL,
        "revocation_events": CALL,
        "token_revocation_list": CALL,
        # images
        "image_create": CALL,
        "image_get": CALL,
        "image_list": CALL,
        "image_update": CALL,
        "image_delete": CALL,
        # flavors
        "flavor_create": CALL,
        "flavor_get": CALL,
        "flavor_list": CALL,
        "flavor_update": CALL,
        "flavor_delete": CALL,
        "flavor_extra_specs_update": CALL,
        "flavor_extra_spec_delete": CALL,
        "flavor_access_add": CALL,
        "flavor_access_remove": CALL,
        # key pairs
        "keypair_create": CALL,
        "keypair_get": CALL,
        "keypair_list": CALL,
        "keypair_delete": CALL,
        # instances
        "instances_create": CALL,
        "schedule_and_build_instances": CAST,
        "instance_get": CALL,
        "instance_list": CALL,
        "instance_update": CALL,
        "instance_metadata_update": CALL,
        "instance_delete": CALL,
        "instance_destroy": CALL,
        "instance_build_failed": CALL,
        "instance_power_sync": CALL,
        "instance_evacuate": CALL,
        "instance_action_start": CALL,
        "instance_action_finish": CALL,
        "instance_action_list": CALL,
        "instance_action_get": CALL,
        # quotas
        "quota_get": CALL,
        "quota_update": CALL,
        "quota_delete": CALL,
        "quota_class_get": CALL,
        "quota_class_update": CALL,
        "quota_usage": CALL,
        # services and hosts
        "ping": CALL,
        "service_report": CALL,
        "service_list": CALL,
        "service_get": CALL,
        "service_update": CALL,
        "service_delete": CALL,
        "compute_node_report": CALL,
        "host_states": CALL,
        # aggregates
        "aggregate_list": CALL,
        "aggregate_get": CALL,
        "aggregate_create": CALL,
        "aggregate_update": CALL,
        "aggregate_delete": CALL,
        "aggregate_add_host": CALL,
        "aggregate_remove_host": CALL,
        "aggregate_set_metadata": CALL,
        # server groups
        "server_group_create": CALL,
        "server_group_get": CALL,
        "server_group_list": CALL,
        "server_group_delete": CALL,
    }


class ConductorSchedulingAPI(ConductorAPI):
    """The reads the scheduler makes while it places a request, served by the conductor on
    a topic (and executor) of their own: the scheduler is called from conductor threads,
    so if its reads queued behind those threads' own work they could wait on each other."""
    TOPIC = "conductor_scheduling"
    METHODS = {m: ConductorAPI.METHODS[m] for m in ("host_states", "aggregate_list",
                                                   "server_group_get", "instance_list")}
