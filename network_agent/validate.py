"""Checks of the simple values the data plane takes; each returns the value in its
canonical form or raises NetworkDriverError saying what is wrong."""
from __future__ import annotations

import ipaddress
import os
import re

from network_agent.driver import CHAIN_PREFIX, NetworkDriverError

_IFNAME = re.compile(r"^[a-zA-Z0-9_.-]{1,15}$")
_NETNS = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
_NETWORK_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_HOSTNAME = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")
_DOMAIN = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
                     r"(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")
_TAG = re.compile(r"^[a-zA-Z0-9_-]{1,32}$")
# iptables chain names are at most 28 characters.
_CHAIN = re.compile(r"^" + re.escape(CHAIN_PREFIX) + r"[a-zA-Z0-9_.-]{1,20}$")


def _check(pattern: re.Pattern[str], value: object, what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value) or value in (".", ".."):
        raise NetworkDriverError(f"invalid {what}: {value!r}")
    return value


def ifname(value: object) -> str:
    return _check(_IFNAME, value, "interface name")


def netns(value: object) -> str | None:
    return None if value is None else _check(_NETNS, value, "network namespace name")


def network_id(value: object) -> str:
    return _check(_NETWORK_ID, value, "network id")


def tag(value: object) -> str:
    return _check(_TAG, value, "DHCP range tag")


def hostname(value: object) -> str:
    name = _check(_HOSTNAME, value, "hostname")
    if name.isdigit():  # dnsmasq would read it as a lease time
        raise NetworkDriverError(f"invalid hostname: {value!r}")
    return name


def domain(value: object) -> str:
    if not isinstance(value, str) or len(value) > 253:
        raise NetworkDriverError(f"invalid domain: {value!r}")
    return _check(_DOMAIN, value, "domain")


def chain(value: object) -> str:
    return _check(_CHAIN, value, f"chain name (must start with {CHAIN_PREFIX!r})")


def mac(value: object) -> str:
    return _check(_MAC, value.lower() if isinstance(value, str) else value, "MAC address")


def ip(value: object, version: int | None = None) -> str:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        addr = ipaddress.ip_address(value)
    except ValueError:
        raise NetworkDriverError(f"invalid IP address: {value!r}") from None
    if version is not None and addr.version != version:
        raise NetworkDriverError(f"not an IPv{version} address: {value!r}")
    return str(addr)


def cidr(value: object) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    """An address with its prefix length, e.g. "10.1.0.1/24" (a bare address is /32 or
    /128)."""
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return ipaddress.ip_interface(value)
    except ValueError:
        raise NetworkDriverError(f"invalid address/prefix: {value!r}") from None


def integer(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise NetworkDriverError(f"invalid {what}: {value!r} (want {low}..{high})")
    return value


def mtu(value: object) -> int:
    return integer(value, 68, 65535, "MTU")


def abs_path(value: object, what: str) -> str:
    """An absolute path that is safe inside a dnsmasq option (no commas or controls)."""
    if (not isinstance(value, str) or not os.path.isabs(value)
            or re.search(r"[,\x00-\x1f\x7f]", value)):
        raise NetworkDriverError(f"invalid {what}: {value!r} (want an absolute path)")
    return os.path.normpath(value)


def rule(value: object) -> str:
    """One iptables rule specification, a single restore line's worth."""
    if not isinstance(value, str) or not value.strip() or re.search(r"[\x00-\x1f\x7f]", value):
        raise NetworkDriverError(f"invalid iptables rule: {value!r}")
    return value.strip()
