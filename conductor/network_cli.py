"""The network domain's admin commands (entry point `stratus.commands: network`), as
nova-manage's network, project, fixed and floating commands: `stratus network
create|list|delete`, `stratus project scrub`, `stratus fixed reserve|unreserve` and
`stratus floating create|list|delete`. They run the conductor's
network endpoint in its place, straight on the database (the network agents are told of
a change as when the API makes it). Errors print one line and exit 1."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Optional, TypeVar

import typer

from stratus import exception

network_app = typer.Typer(help="Networks (nova-network).", no_args_is_help=True)
project_app = typer.Typer(help="Projects' network resources.", no_args_is_help=True)
fixed_app = typer.Typer(help="Fixed IP addresses of networks.", no_args_is_help=True)
floating_app = typer.Typer(help="Floating IP pools.", no_args_is_help=True)
Command = TypeVar("Command", bound=Callable[..., Any])
LIST_HEADER = ("UUID", "Label", "CIDR", "CIDR v6", "Bridge", "VLAN/VNI", "Project", "Host")


def register(app: typer.Typer) -> None:
    app.add_typer(network_app, name="network")
    app.add_typer(project_app, name="project")
    app.add_typer(fixed_app, name="fixed")
    app.add_typer(floating_app, name="floating")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


def one_line_errors(command: Command) -> Command:
    """A command's failures as one line on stderr and exit code 1, never a traceback."""
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except exception.StratusError as e:
            raise _fail(e.message) from None
        except Exception as e:  # noqa: BLE001 - an admin command prints, never dumps
            raise _fail(f"{type(e).__name__}: {e}") from None
    return run  # type: ignore[return-value]


def _endpoint() -> Any:
    from conductor.network.endpoint import NetworkEndpoint
    return NetworkEndpoint()


def _ctx() -> Any:
    from stratus.context import get_admin_context
    return get_admin_context()


def _project_id(name_or_id: str) -> str:
    """A project by name or ID (NotFound when neither)."""
    from conductor.identity.endpoint import IdentityEndpoint
    identity = IdentityEndpoint()
    found = identity.identity_list(_ctx(), "project", {"name": name_or_id})
    if found:
        return str(found[0]["id"])
    try:
        return str(identity.identity_get(_ctx(), "project", name_or_id)["id"])
    except exception.NotFound:
        raise exception.NotFound(f"Project {name_or_id} not found (give its name or "
                                 f"ID).") from None


def _network(uuid_or_label: str) -> dict[str, Any]:
    """A live network by UUID or (unique) label."""
    networks = _endpoint().network_list(_ctx())
    by_uuid = [n for n in networks if n["uuid"] == uuid_or_label]
    if by_uuid:
        return by_uuid[0]
    by_label = [n for n in networks if n["label"] == uuid_or_label]
    if len(by_label) > 1:
        raise exception.Conflict(
            reason=f"{len(by_label)} networks are labelled {uuid_or_label}: give the UUID "
                   f"({', '.join(n['uuid'] for n in by_label)}).")
    if not by_label:
        raise exception.NetworkNotFound(network_id=uuid_or_label)
    return by_label[0]


@network_app.command("create")
@one_line_errors
def network_create(
        label: str = typer.Option(..., "--label", help="Name of the network."),
        fixed_range_v4: str = typer.Option(..., "--fixed-range-v4",
                                           help="IPv4 range, e.g. 10.0.5.0/24."),
        fixed_range_v6: Optional[str] = typer.Option(  # noqa: UP007
            None, "--fixed-range-v6", help="IPv6 range (/64 or larger)."),
        bridge: Optional[str] = typer.Option(None, help="Bridge (default: made up)."),  # noqa: UP007
        bridge_interface: Optional[str] = typer.Option(  # noqa: UP007
            None, "--bridge-interface", help="Interface added to the bridge."),
        vlan: Optional[int] = typer.Option(None, help="802.1Q VLAN ID."),  # noqa: UP007
        vni: Optional[int] = typer.Option(None, help="VXLAN VNI."),  # noqa: UP007
        multi_host: bool = typer.Option(False, "--multi-host",
                                        help="Every host its own gateway and DHCP."),
        dns1: Optional[str] = typer.Option(None, help="First DNS server."),  # noqa: UP007
        dns2: Optional[str] = typer.Option(None, help="Second DNS server."),  # noqa: UP007
        project: Optional[str] = typer.Option(  # noqa: UP007
            None, help="Project (name or ID) the network belongs to (default: shared)."),
        gateway: Optional[str] = typer.Option(  # noqa: UP007
            None, help="Gateway (default: the range's first address)."),
        mtu: Optional[int] = typer.Option(None, help="MTU of the network.")) -> None:  # noqa: UP007
    """Create a network."""
    if vlan is not None and vni is not None:
        raise _fail("Give --vlan or --vni, not both.")
    values: dict[str, Any] = {
        "label": label, "cidr": fixed_range_v4, "cidr_v6": fixed_range_v6,
        "bridge": bridge, "bridge_interface": bridge_interface, "vlan": vlan, "vni": vni,
        "multi_host": multi_host, "dns1": dns1, "dns2": dns2, "gateway": gateway,
        "mtu": mtu, "project_id": _project_id(project) if project else None}
    net = _endpoint().network_create(_ctx(), {k: v for k, v in values.items()
                                              if v is not None})
    typer.echo(f"Created network {net['label']} ({net['uuid']}): {net['cidr']}, bridge "
               f"{net['bridge']}")


def _segment(net: dict[str, Any]) -> str:
    if net["vlan"] is not None:
        return f"vlan {net['vlan']}"
    return f"vni {net['vni']}" if net["vni"] is not None else ""


@network_app.command("list")
@one_line_errors
def network_list() -> None:
    """Every network: UUID, label, ranges, bridge, segment, project and host."""
    _table(LIST_HEADER, [(n["uuid"], n["label"], n["cidr"] or "", n["cidr_v6"] or "",
                          n["bridge"], _segment(n), n["project_id"] or "(shared)",
                          n["host"] or "") for n in _endpoint().network_list(_ctx())])


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        typer.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


@network_app.command("delete")
@one_line_errors
def network_delete(network: str = typer.Argument(..., help="UUID or label.")) -> None:
    """Delete a network no server has an address in."""
    net = _network(network)
    _endpoint().network_delete(_ctx(), net["uuid"])
    typer.echo(f"Deleted network {net['label']} ({net['uuid']})")


@project_app.command("scrub")
@one_line_errors
def project_scrub(project: str = typer.Option(..., "--project",
                                              help="Project name or ID.")) -> None:
    """Delete the networks of a project (refused while a server uses one)."""
    deleted = _endpoint().project_scrub(_ctx(), _project_id(project))
    typer.echo(f"Deleted {len(deleted)} network(s)"
               + "".join(f"\n  {n['label']} ({n['uuid']})" for n in deleted))


def _reserve(address: str, reserved: bool) -> None:
    import ipaddress
    try:
        address = str(ipaddress.ip_address(address))
    except ValueError:
        raise exception.Invalid(f"Fixed IP address {address} is invalid.") from None
    _endpoint().fixed_ip_reserve(_ctx(), address, reserved)


@fixed_app.command("reserve")
@one_line_errors
def fixed_reserve(address: str = typer.Option(..., "--address", help="IP address.")) -> None:
    """Keep an address from being given to servers."""
    _reserve(address, True)
    typer.echo(f"Reserved {address}")


@fixed_app.command("unreserve")
@one_line_errors
def fixed_unreserve(address: str = typer.Option(..., "--address",
                                                help="IP address.")) -> None:
    """Let an address be given to servers again."""
    _reserve(address, False)
    typer.echo(f"Unreserved {address}")


def _floating() -> Any:
    from conductor.network.floating_ip_endpoint import FloatingIpEndpoint
    return FloatingIpEndpoint()


@floating_app.command("create")
@one_line_errors
def floating_create(
        ip_range: str = typer.Option(..., "--ip-range", help="Address or CIDR."),
        pool: Optional[str] = typer.Option(  # noqa: UP007
            None, help="Pool name (default: [network] default_floating_pool)."),
        interface: Optional[str] = typer.Option(  # noqa: UP007
            None, help="Interface the addresses are bound on (default: [network] "
                       "public_interface).")) -> None:
    """Fill a pool with a range of floating IPs."""
    made = _floating().floating_ip_bulk_create(_ctx(), ip_range, pool, interface)
    typer.echo(f"Created {len(made)} floating IP(s) in pool {made[0]['pool']}"
               if made else "Created no floating IP")


@floating_app.command("list")
@one_line_errors
def floating_list() -> None:
    """Every floating IP: pool, interface, project, fixed IP and server."""
    _table(("Address", "Pool", "Interface", "Project", "Fixed IP", "Server"),
           [(f["address"], f["pool"], f["interface"] or "", f["project_id"] or "",
             f["fixed_ip"] or "", f["instance_uuid"] or "")
            for f in _floating().floating_ip_list(_ctx())])


@floating_app.command("delete")
@one_line_errors
def floating_delete(ip_range: str = typer.Option(..., "--ip-range",
                                                 help="Address or CIDR.")) -> None:
    """Remove a range of floating IPs (refused while one is associated)."""
    gone = _floating().floating_ip_bulk_delete(_ctx(), ip_range)
    typer.echo(f"Deleted {len(gone)} floating IP(s)")
