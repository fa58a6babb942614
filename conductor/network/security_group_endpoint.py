"""The network domain's security group endpoint (contract: conductor/rpcapi/network.py,
1.1): checks rules as nova-network does (its messages), changes the state through
conductor/network/queries/security_groups.py and, once a change is committed, tells every
network agent to re-read its servers' rules (security_groups_changed, a fanout)."""
from __future__ import annotations

import ipaddress
import urllib.parse
from typing import Any

from conductor.network.queries import security_groups as queries
from conductor.rpcapi.network import NetworkConductorAPI
from metadata_api.rpcapi import MetadataAPI
from network_agent.rpcapi import NetworkAgentAPI
from stratus import exception
from stratus.context import RequestContext
from stratus.rpc import endpoint_target

Record = dict[str, Any]
PROTOCOLS = ("TCP", "UDP", "ICMP")


# --- rules as nova-network reads them (its SecurityGroupBase._new_ingress_rule) ---------

def parse_cidr(cidr: Any) -> str:
    """A rule's source range: URL-decoded, a valid IP network with a prefix; absent:
    0.0.0.0/0."""
    if not cidr:
        return "0.0.0.0/0"
    text = urllib.parse.unquote(str(cidr))
    try:
        if "/" not in text or len(text) > 43:  # the longest: IPv6 text and /128
            raise ValueError(text)
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise exception.Invalid(f"{cidr} is not a valid IP network.") from None
    address = text.split("/", 1)[0]
    if net.prefixlen == 0 and address.strip() not in ("0.0.0.0", "::"):
        raise exception.Invalid(f"Bad prefix for network in cidr {text}")
    return text


def _port_range(protocol: str, from_port: int, to_port: int) -> None:
    upper = protocol.upper()
    if upper in ("TCP", "UDP") and from_port > to_port:
        raise exception.Invalid(f"Invalid port range {from_port}:{to_port}. Former value "
                                f"cannot be greater than the later")
    if upper in ("TCP", "UDP") and (from_port < 1 or to_port > 65535):
        raise exception.Invalid(f"Invalid port range {from_port}:{to_port}. Valid {upper} "
                                f"ports should be between 1-65535")
    if upper == "ICMP" and not (-1 <= from_port <= 255 and -1 <= to_port <= 255):
        raise exception.Invalid(f"Invalid port range {from_port}:{to_port}. For ICMP, the "
                                f"type:code must be valid")


def _integer(value: Any, protocol: str) -> int:
    try:
        if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        return int(value)
    except (TypeError, ValueError):
        reason = ("Type and Code must be integers for ICMP protocol type"
                  if protocol.upper() == "ICMP" else "To and From ports must be integers")
        raise exception.Invalid(f"Invalid input received: {reason}") from None


def ingress_rule(body: Record, group_id: int | None = None) -> Record:
    """The rule's columns (protocol, from_port, to_port, and cidr or group_id) from
    Nova's body: a source group opens everything when no ports are given (TCP/UDP
    1-65535, ICMP -1:-1); a CIDR rule needs a protocol and both ports."""
    protocol = body.get("ip_protocol")
    from_port, to_port = body.get("from_port"), body.get("to_port")
    if protocol is not None and not isinstance(protocol, str):
        raise exception.Invalid(f"Invalid IP protocol {protocol}.")
    if protocol and protocol.upper() not in PROTOCOLS:
        raise exception.Invalid(f"Invalid IP protocol {protocol}.")
    values: Record = {"protocol": None, "from_port": None, "to_port": None,
                      "cidr": None, "group_id": group_id}
    if group_id is not None:
        if protocol and from_port is None and to_port is None:
            from_port, to_port = (-1, -1) if protocol.upper() == "ICMP" else (1, 65535)
    else:
        values["cidr"] = parse_cidr(body.get("cidr"))
    if protocol and from_port is not None and to_port is not None:
        from_port, to_port = _integer(from_port, protocol), _integer(to_port, protocol)
        _port_range(protocol, from_port, to_port)
        values.update(protocol=protocol, from_port=from_port, to_port=to_port)
    elif group_id is None:
        raise exception.Invalid("Not enough parameters to build a valid rule.")
    return values


def _changed(ctx: RequestContext) -> None:
    NetworkAgentAPI.get().security_groups_changed(ctx)


class SecurityGroupEndpoint:
    target = endpoint_target(NetworkConductorAPI)

    @staticmethod
    def _ensure_default(ctx: RequestContext) -> None:
        if ctx.project_id:
            queries.ensure_default(ctx.project_id, ctx.user_id)

    # --- groups -------------------------------------------------------------------

    def security_group_list(self, ctx: RequestContext,
                            project_id: str | None = None) -> list[Record]:
        self._ensure_default(ctx)
        return queries.list_groups(project_id)

    def security_group_get(self, ctx: RequestContext, group_id: int,
                           project_id: str | None = None) -> Record:
        self._ensure_default(ctx)
        return queries.get_group(group_id, project_id)

    def security_group_create(self, ctx: RequestContext, project_id: str,
                              user_id: str | None, name: str, description: str) -> Record:
        group = queries.create_group(project_id, user_id, name, description)
        _changed(ctx)
        return group

    def security_group_update(self, ctx: RequestContext, group_id: int, name: str,
                              description: str, project_id: str | None = None) -> Record:
        group = queries.update_group(group_id, name, description, project_id)
        _changed(ctx)
        MetadataAPI.get().instance_changed(ctx)  # its members' security-groups
        return group

    def security_group_delete(self, ctx: RequestContext, group_id: int,
                              project_id: str | None = None) -> None:
        queries.delete_group(group_id, project_id)
        _changed(ctx)

    # --- rules --------------------------------------------------------------------

    def security_group_rule_create(self, ctx: RequestContext, parent_group_id: int,
                                   rule: Record, project_id: str | None = None) -> Record:
        source = rule.get("group_id")
        # The groups first (404), then the rule (400), as Nova.
        queries.get_group(parent_group_id, project_id)
        if source is not None:
            queries.get_group(source, project_id)
        created = queries.create_rule(parent_group_id, ingress_rule(rule, source),
                                      project_id)
        _changed(ctx)
        return created

    def security_group_rule_delete(self, ctx: RequestContext, rule_id: int,
                                   project_id: str | None = None) -> None:
        queries.delete_rule(rule_id, project_id)
        _changed(ctx)

    # --- default rules ------------------------------------------------------------

    def security_group_default_rule_list(self, ctx: RequestContext) -> list[Record]:
        return queries.list_default_rules()

    def security_group_default_rule_get(self, ctx: RequestContext, rule_id: int) -> Record:
        return queries.get_default_rule(rule_id)

    def security_group_default_rule_create(self, ctx: RequestContext,
                                           rule: Record) -> Record:
        # Default rules only change groups made later: nothing for the agents to do.
        return queries.create_default_rule(ingress_rule(rule))

    def security_group_default_rule_delete(self, ctx: RequestContext, rule_id: int) -> None:
        queries.delete_default_rule(rule_id)

    # --- servers ------------------------------------------------------------------

    def instance_security_groups(self, ctx: RequestContext,
                                 instance_uuid: str) -> list[Record]:
        self._ensure_default(ctx)
        return queries.instance_groups(instance_uuid)

    def instance_add_security_group(self, ctx: RequestContext, instance_uuid: str,
                                    name: str) -> None:
        queries.add_instance_group(instance_uuid, name)
        _changed(ctx)
        MetadataAPI.get().instance_changed(ctx, instance_uuid=instance_uuid)

    def instance_remove_security_group(self, ctx: RequestContext, instance_uuid: str,
                                       name: str) -> None:
        queries.remove_instance_group(instance_uuid, name)
        _changed(ctx)
        MetadataAPI.get().instance_changed(ctx, instance_uuid=instance_uuid)

    def security_group_rules_for_instances(self, ctx: RequestContext,
                                           instance_uuids: list[str]
                                           ) -> dict[str, list[Record]]:
        return queries.instance_rules(instance_uuids)
