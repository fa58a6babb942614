"""dnsmasq's command line and hosts file for one network (pure functions).

Inputs are validated here, because the command line runs as root: a caller cannot add an
option of its own (a --dhcp-script, say) through any value.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import pathlib

from network_agent import validate
from network_agent.driver import DhcpHost, DhcpRange, NetworkDriverError


@dataclasses.dataclass(frozen=True)
class Paths:
    """The files of one network's dnsmasq, all in its own directory."""
    root: pathlib.Path

    @classmethod
    def of(cls, state_dir: str, network_id: str) -> Paths:
        base = validate.abs_path(state_dir, "state directory")
        return cls(pathlib.Path(base) / "dhcp" / validate.network_id(network_id))

    @property
    def hosts(self) -> pathlib.Path:
        return self.root / "host"

    @property
    def leases(self) -> pathlib.Path:
        return self.root / "leases"

    @property
    def pid(self) -> pathlib.Path:
        return self.root / "pid"

    @property
    def log(self) -> pathlib.Path:
        return self.root / "dnsmasq.log"


def hosts_file(hosts: list[DhcpHost]) -> str:
    """dnsmasq --dhcp-hostsfile lines: MAC,hostname[,IPv4][,[IPv6]]."""
    return "".join(_host_line(h) + "\n" for h in hosts)


def _host_line(host: DhcpHost) -> str:
    fields = [validate.mac(host.mac), validate.hostname(host.hostname)]
    if host.ip is not None:
        fields.append(validate.ip(host.ip, 4))
    if host.ipv6 is not None:
        fields.append(f"[{validate.ip(host.ipv6, 6)}]")
    if len(fields) == 2:
        raise NetworkDriverError(f"DHCP host {host.mac} has no address")
    return ",".join(fields)


def command(paths: Paths, *, bridge: str, ranges: list[DhcpRange], dns_servers: list[str],
            mtu: int | None, lease_time: int, domain: str | None, config_file: str | None,
            ipv6_ra: bool) -> list[str]:
    """The dnsmasq argv (without any `ip netns exec` prefix)."""
    bridge = validate.ifname(bridge)
    lease = validate.integer(lease_time, 120, 2**31 - 1, "lease time")  # dnsmasq's minimum
    conf = "" if config_file is None else validate.abs_path(config_file, "dnsmasq config file")
    argv = ["dnsmasq", "--no-resolv", "--no-hosts", "--bind-interfaces",
            f"--interface={bridge}", "--except-interface=lo", f"--conf-file={conf}",
            f"--pid-file={paths.pid}", f"--dhcp-leasefile={paths.leases}",
            f"--dhcp-hostsfile={paths.hosts}", f"--log-facility={paths.log}", "--log-dhcp"]
    for r in ranges:
        argv += _range_options(r, lease)
    if mtu is not None:
        argv.append(f"--dhcp-option=option:mtu,{validate.mtu(mtu)}")
    argv += _dns_options([validate.ip(s) for s in dns_servers])
    if domain is not None:
        argv.append(f"--domain={validate.domain(domain)}")
    if ipv6_ra:
        # Router advertisements with the bridge's own prefixes: guests make SLAAC
        # addresses, and stateless DHCPv6 gives them the DNS options.
        argv += ["--enable-ra", f"--dhcp-range=set:ra,::,constructor:{bridge},ra-stateless"]
    return argv


def _range_options(r: DhcpRange, lease: int) -> list[str]:
    tag = validate.tag(r.tag)
    start = ipaddress.ip_address(validate.ip(r.start_address))
    plen = validate.integer(r.prefix_len, 1, start.max_prefixlen, "prefix length")
    if start.version == 6:
        return [f"--dhcp-range=set:{tag},{start},static,{plen},{lease}"]
    netmask = ipaddress.ip_network(f"{start}/{plen}", strict=False).netmask
    options = [f"--dhcp-range=set:{tag},{start},static,{netmask},{lease}"]
    if r.gateway is not None:
        options.append(f"--dhcp-option=tag:{tag},option:router,{validate.ip(r.gateway, 4)}")
    return options


def _dns_options(servers: list[str]) -> list[str]:
    v4 = [s for s in servers if ipaddress.ip_address(s).version == 4]
    v6 = [f"[{s}]" for s in servers if ipaddress.ip_address(s).version == 6]
    options = [f"--dhcp-option=option:dns-server,{','.join(v4)}"] if v4 else []
    return options + ([f"--dhcp-option=option6:dns-server,{','.join(v6)}"] if v6 else [])
