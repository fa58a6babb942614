"""Wire contract of the conductor's compute domain (topic `conductor_compute`).

Version history:
  1.0 - split out of the release-1 conductor contract (its 1.3 flavor, key pair,
        instance, action, quota and server group methods). Request specs and build
        alternates are typed payloads (RequestSpec, Destination); schedule_and_build_instances
        no longer takes excluded_hosts (the spec's retry_hosts say it).
  1.1 - instance_lock, instance_reset_state.
  1.2 - instance_unshelve.
  1.3 - usage: tenant_usage (usage per project over a window), instance_usage_audit (a
        compute agent records its audit of a period in the task log), task_log_get_all.
  1.4 - moves: instance_resize (resize and cold migration), migration_progress,
        migration_finish, migration_failed, instance_confirm_resize, migration_confirmed,
        instance_revert_resize, migration_reverted, migration_list;
        instance_action_list takes changes_before; instance_server_groups;
        instance_unshelve takes availability_zone (2.77), host and unpin (2.91);
        instance_evacuate takes stop (2.95); flavor_list takes name (2.102);
        instance_pin_zone (2.104); instance_tags_replace, instance_tag_add,
        instance_tag_remove (os-server-tags).
  1.5 - the metadata service's reads and the guest's password: instance_for_guest,
        instance_password_post, instance_password_get, instance_password_clear.
"""
from __future__ import annotations

from typing import Any

from stratus.context import RequestContext
from stratus.objects.request_spec import Destination, RequestSpec
from stratus.rpc import RPCAPI, call, cast

Record = dict[str, Any]


class ComputeConductorAPI(RPCAPI):
    TOPIC = "conductor_compute"
    VERSION = "1.5"

    # --- flavors ------------------------------------------------------------------------

    @call("1.0")
    def flavor_create(self, ctx: RequestContext, *, values: Record) -> Record:
        """A new flavor; 409 if its id or name is taken."""

    @call("1.0")
    def flavor_get(self, ctx: RequestContext, *, flavorid: str,
                   project_id: str | None = None) -> Record:
        """One flavor, if visible to `project_id` (any flavor when None)."""

    @call("1.4")
    def flavor_list(self, ctx: RequestContext, *, project_id: str | None = None,
                    is_public: bool | None = True, min_memory_mb: int = 0,
                    min_root_gb: int = 0, sort_key: str = "flavorid", sort_dir: str = "asc",
                    limit: int | None = None, marker: str | None = None,
                    name: str | None = None) -> list[Record]:
        """A page of flavors (named `name`, if given)."""

    @flavor_list.downgrade("1.0")
    def _without_name(args: dict[str, Any]) -> dict[str, Any]:
        if args.pop("name", None) is not None:
            raise ValueError("a 1.3 conductor cannot filter flavors by name")
        return args

    @call("1.0")
    def flavor_update(self, ctx: RequestContext, *, flavorid: str, values: Record) -> Record:
        """Change a flavor's description."""

    @call("1.0")
    def flavor_delete(self, ctx: RequestContext, *, flavorid: str) -> None:
        """Delete a flavor (servers keep their copy)."""

    @call("1.0")
    def flavor_extra_specs_update(self, ctx: RequestContext, *, flavorid: str,
                                  specs: dict[str, str]) -> dict[str, str]:
        """Set extra specs; returns all of them."""

    @call("1.0")
    def flavor_extra_spec_delete(self, ctx: RequestContext, *, flavorid: str,
                                 key: str) -> None:
        """Remove one extra spec."""

    @call("1.0")
    def flavor_access_add(self, ctx: RequestContext, *, flavorid: str,
                          project_id: str) -> list[str]:
        """Let a project use a private flavor; returns the projects that may."""

    @call("1.0")
    def flavor_access_remove(self, ctx: RequestContext, *, flavorid: str,
                             project_id: str) -> list[str]:
        """Take a project's access away; returns the projects that still have it."""

    # --- key pairs ----------------------------------------------------------------------

    @call("1.0")
    def keypair_create(self, ctx: RequestContext, *, user_id: str, project_id: str,
                       values: Record) -> Record:
        """A new key pair of the user; 409 if the name is taken."""

    @call("1.0")
    def keypair_get(self, ctx: RequestContext, *, user_id: str, name: str) -> Record:
        """One key pair of the user."""

    @call("1.0")
    def keypair_list(self, ctx: RequestContext, *, user_id: str, limit: int | None = None,
                     marker: str | None = None) -> list[Record]:
        """A page of the user's key pairs."""

    @call("1.0")
    def keypair_delete(self, ctx: RequestContext, *, user_id: str, name: str) -> None:
        """Delete one key pair of the user."""

    # --- instances ----------------------------------------------------------------------

    @call("1.0")
    def instances_create(self, ctx: RequestContext, *, base: Record, min_count: int,
                         max_count: int, request_spec: RequestSpec) -> list[Record]:
        """Admit (quota) and create the instances, then start their build; returns them."""

    @cast("1.0")
    def schedule_and_build_instances(self, ctx: RequestContext, *, instance_uuids: list[str],
                                     request_spec: RequestSpec) -> None:
        """Place the instances and send each to its compute host."""

    @call("1.0")
    def instance_get(self, ctx: RequestContext, *, instance_uuid: str,
                     project_id: str | None = None, read_deleted: bool = False) -> Record:
        """One instance, if it belongs to `project_id` (any project when None)."""

    @call("1.0")
    def instance_list(self, ctx: RequestContext, *, filters: dict[str, Any],
                      sort_key: str = "created_at", sort_dir: str = "desc",
                      limit: int | None = None, marker: str | None = None) -> list[Record]:
        """A page of instances matching the filters."""

    @call("1.0")
    def instance_update(self, ctx: RequestContext, *, instance_uuid: str, values: Record,
                        expected_task_state: Any = None,
                        expected_vm_state: list[str] | None = None) -> Record:
        """Change an instance, only from the expected states when they are given."""

    @call("1.4")
    def instance_tags_replace(self, ctx: RequestContext, *, instance_uuid: str,
                              tags: list[str], project_id: str | None = None) -> list[str]:
        """Replace the instance's tags; them."""

    @call("1.4")
    def instance_tag_add(self, ctx: RequestContext, *, instance_uuid: str, tag: str,
                         project_id: str | None = None) -> bool:
        """Tag the instance; whether the tag is new."""

    @call("1.4")
    def instance_tag_remove(self, ctx: RequestContext, *, instance_uuid: str, tag: str,
                            project_id: str | None = None) -> None:
        """Untag the instance (NotFound without that tag)."""

    @call("1.4")
    def instance_pin_zone(self, ctx: RequestContext, *, instance_uuid: str,
                          zone: str | None, project_id: str | None = None) -> Record:
        """Pin the instance to the zone it is in, or unpin it (None)."""

    @call("1.1")
    def instance_lock(self, ctx: RequestContext, *, instance_uuid: str, locked: bool,
                      reason: str | None = None, project_id: str | None = None) -> Record:
        """Lock (recording by whom and why) or unlock an instance."""

    @call("1.1")
    def instance_reset_state(self, ctx: RequestContext, *, instance_uuid: str,
                             vm_state: str) -> Record:
        """Set an instance's vm_state and clear its task_state (admins)."""

    @call("1.0")
    def instance_metadata_update(self, ctx: RequestContext, *, instance_uuid: str,
                                 updates: dict[str, str], deletes: list[str] | None = None,
                                 replace: bool = False,
                                 project_id: str | None = None) -> dict[str, str]:
        """Set, delete or replace metadata items (within the metadata quota)."""

    @call("1.0")
    def instance_delete(self, ctx: RequestContext, *, instance_uuid: str,
                        project_id: str | None = None) -> None:
        """Begin deleting an instance (its agent destroys the guest)."""

    @call("1.0")
    def instance_destroy(self, ctx: RequestContext, *, instance_uuid: str) -> None:
        """The guest is gone: remove the instance."""

    @call("1.0")
    def instance_build_failed(self, ctx: RequestContext, *, instance_uuid: str, host: str,
                              reason: str, alternates: list[Destination],
                              retryable: bool = True) -> None:
        """A build failed on `host`: retry on an alternate, or ERROR with a fault."""

    @call("1.0")
    def instance_power_sync(self, ctx: RequestContext, *, instance_uuid: str, host: str,
                            power_state: int) -> None:
        """The hypervisor reports a guest's power state."""

    @call("1.4")
    def instance_evacuate(self, ctx: RequestContext, *, instance_uuid: str,
                          host: str | None = None, stop: bool = False) -> Record:
        """Rebuild an instance of a down host on another host (left stopped with
        `stop`)."""

    @instance_evacuate.downgrade("1.0")
    def _evacuate_running(args: dict[str, Any]) -> dict[str, Any]:
        if args.pop("stop", False):
            raise ValueError("a 1.3 conductor cannot leave an evacuated server stopped")
        return args

    @call("1.4")
    def instance_unshelve(self, ctx: RequestContext, *, instance_uuid: str,
                          project_id: str | None = None,
                          availability_zone: str | None = None, host: str | None = None,
                          unpin: bool = False) -> Record:
        """Schedule an offloaded instance anew (on `host`, in `availability_zone`, or
        unpinned from any zone, if asked) and spawn it from its shelved image."""

    @instance_unshelve.downgrade("1.2")
    def _without_zone(args: dict[str, Any]) -> dict[str, Any]:
        given = [args.pop(k, None) for k in ("availability_zone", "host", "unpin")]
        if any(given):
            raise ValueError("a 1.3 conductor cannot unshelve into a zone or to a host")
        return args

    # --- moves (resize, cold migration) ---------------------------------------------------

    @call("1.4")
    def instance_resize(self, ctx: RequestContext, *, instance_uuid: str,
                        flavor: Record | None = None, host: str | None = None,
                        project_id: str | None = None) -> Record:
        """Move the instance to `flavor` (None: cold migration) on a scheduled host."""

    @call("1.4")
    def migration_progress(self, ctx: RequestContext, *, migration_id: int, status: str,
                           task_state: str, expected_task_state: str) -> Record | None:
        """A compute agent's next step of a move; None when the instance left it."""

    @call("1.4")
    def migration_finish(self, ctx: RequestContext, *, migration_id: int,
                         power_state: int) -> Record | None:
        """The destination runs the moved guest: the instance RESIZED there."""

    @call("1.4")
    def migration_failed(self, ctx: RequestContext, *, migration_id: int, error: str,
                         host: str, values: Record) -> None:
        """A step of a move failed: the migration in error, `values` written."""

    @call("1.4")
    def instance_confirm_resize(self, ctx: RequestContext, *, instance_uuid: str,
                                project_id: str | None = None) -> None:
        """Keep a moved instance where it is now."""

    @call("1.4")
    def migration_confirmed(self, ctx: RequestContext, *, migration_id: int) -> None:
        """The source has removed its copy of the moved instance."""

    @call("1.4")
    def instance_revert_resize(self, ctx: RequestContext, *, instance_uuid: str,
                               project_id: str | None = None) -> None:
        """Bring a moved instance back to its source and old flavor."""

    @call("1.4")
    def migration_reverted(self, ctx: RequestContext, *, migration_id: int,
                           power_state: int) -> Record | None:
        """The source runs the old guest again: the instance back as before the move."""

    @call("1.4")
    def migration_list(self, ctx: RequestContext, *, filters: Record,
                       limit: int | None = None, marker: str | None = None) -> list[Record]:
        """Migrations matching `filters`, newest first, a page after `marker`."""

    # --- instance actions ---------------------------------------------------------------

    @call("1.0")
    def instance_action_start(self, ctx: RequestContext, *, instance_uuid: str, action: str,
                              task_state: str, vm_states: list[str],
                              task_states: list[str | None] | None = None,
                              project_id: str | None = None,
                              values: Record | None = None) -> Record:
        """Record a user action and move the instance to `task_state`, if allowed."""

    @call("1.0")
    def instance_action_finish(self, ctx: RequestContext, *, instance_uuid: str, event: str,
                               values: Record, expected_task_state: str | None,
                               host: str | None = None,
                               error: str | None = None) -> Record | None:
        """Record an action's outcome; None when the instance was deleted meanwhile."""

    @call("1.4")
    def instance_action_list(self, ctx: RequestContext, *, instance_uuid: str,
                             project_id: str | None = None, limit: int | None = None,
                             marker: str | None = None, changes_since: str | None = None,
                             changes_before: str | None = None) -> list[Record]:
        """A page of an instance's actions, newest first."""

    @instance_action_list.downgrade("1.0")
    def _without_changes_before(args: dict[str, Any]) -> dict[str, Any]:
        if args.pop("changes_before", None) is not None:
            raise ValueError("a 1.3 conductor cannot filter actions by changes-before")
        return args

    @call("1.0")
    def instance_action_get(self, ctx: RequestContext, *, instance_uuid: str,
                            request_id: str, project_id: str | None = None) -> Record:
        """One action with its events."""

    # --- quotas -------------------------------------------------------------------------

    @call("1.0")
    def quota_get(self, ctx: RequestContext, *, project_id: str | None = None,
                  defaults: bool = False) -> dict[str, int]:
        """A project's limits (or the defaults)."""

    @call("1.0")
    def quota_update(self, ctx: RequestContext, *, project_id: str, values: Record,
                     force: bool = False) -> dict[str, int]:
        """Set a project's limits (not below its usage unless forced)."""

    @call("1.0")
    def quota_delete(self, ctx: RequestContext, *, project_id: str) -> None:
        """Return a project to the default limits."""

    @call("1.0")
    def quota_class_get(self, ctx: RequestContext, *, class_name: str) -> dict[str, int]:
        """A quota class's limits."""

    @call("1.0")
    def quota_class_update(self, ctx: RequestContext, *, class_name: str,
                           values: Record) -> dict[str, int]:
        """Set a quota class's limits."""

    @call("1.0")
    def quota_usage(self, ctx: RequestContext, *, project_id: str,
                    user_id: str | None = None) -> dict[str, dict[str, int]]:
        """In use and limit per resource."""

    # --- server groups ------------------------------------------------------------------

    @call("1.0")
    def server_group_create(self, ctx: RequestContext, *, project_id: str, user_id: str,
                            name: str, policy: str,
                            rules: dict[str, Any] | None = None) -> Record:
        """A new server group (within the server group quota)."""

    @call("1.0")
    def server_group_get(self, ctx: RequestContext, *, group_uuid: str,
                         project_id: str | None = None, with_hosts: bool = False) -> Record:
        """One server group, with its members' hosts if asked."""

    @call("1.0")
    def server_group_list(self, ctx: RequestContext, *, project_id: str | None = None,
                          limit: int | None = None, offset: int = 0) -> list[Record]:
        """A page of server groups."""

    @call("1.0")
    def server_group_delete(self, ctx: RequestContext, *, group_uuid: str,
                            project_id: str | None = None) -> None:
        """Delete a server group."""

    @call("1.4")
    def instance_server_groups(self, ctx: RequestContext, *,
                               instance_uuid: str) -> list[str]:
        """The uuids of the groups the instance belongs to (one at most)."""

    # --- usage --------------------------------------------------------------------------

    @call("1.3")
    def tenant_usage(self, ctx: RequestContext, *, period_start: str, period_stop: str,
                     project_id: str | None = None, detailed: bool = True,
                     limit: int | None = None, marker: str | None = None) -> Record:
        """Usage per project over [period_start, period_stop) of a page of the instances
        that ran then (deleted ones included), by project and uuid after `marker`."""

    @call("1.3")
    def instance_usage_audit(self, ctx: RequestContext, *, host: str, period_beginning: str,
                             period_ending: str) -> Record | None:
        """Audit the instances active on `host` in the period and record it in the task
        log, once; None when the host already has a record of that period."""

    @call("1.3")
    def task_log_get_all(self, ctx: RequestContext, *, task_name: str, period_beginning: str,
                         period_ending: str) -> list[Record]:
        """The task-log rows of `task_name` for exactly that period, one per host."""

    # --- the metadata service ---------------------------------------------------------

    @call("1.5")
    def instance_for_guest(self, ctx: RequestContext, *, instance_uuid: str | None = None,
                           address: str | None = None) -> Record:
        """The live instance by uuid or by one of its fixed IPs (404 when none), with
        what only its guest sees: `security_groups` (names), `admin_pass` and
        `server_password`."""

    @call("1.5")
    def instance_password_post(self, ctx: RequestContext, *, instance_uuid: str,
                               password: str) -> None:
        """The password the guest posts, once (409 when set, 400 over 1020 bytes)."""

    @call("1.5")
    def instance_password_get(self, ctx: RequestContext, *, instance_uuid: str,
                              project_id: str | None = None) -> str:
        """The password the guest posted, "" when none."""

    @call("1.5")
    def instance_password_clear(self, ctx: RequestContext, *, instance_uuid: str,
                                project_id: str | None = None) -> None:
        """Forget the password the guest posted (it may post another)."""
