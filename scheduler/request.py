"""What filters and weighers read: the request spec plus the facts the scheduler looked up
for it (hosts of the instances that hints name, hosts of the group's members)."""
from __future__ import annotations

from stratus.objects.request_spec import RequestSpec


class SchedulingRequest(RequestSpec):
    """A RequestSpec as the scheduler sees it; never sent on the bus (no NAME)."""
    NAME = ""

    # same_host / different_host hint -> the hosts of the instances it names.
    hint_hosts: dict[str, list[str]] = {}
    # The host of each placed member of the request's server group, once per member;
    # the scheduler adds each host it picks for this request.
    group_hosts: list[str] = []

    @property
    def group_policy(self) -> str | None:
        return self.group.policy if self.group else None

    @property
    def group_uuid(self) -> str | None:
        return self.group.uuid if self.group else None

    @classmethod
    def of(cls, spec: RequestSpec, hint_hosts: dict[str, list[str]],
           group_hosts: list[str]) -> "SchedulingRequest":
        return cls(**dict(spec), hint_hosts=hint_hosts, group_hosts=group_hosts)
