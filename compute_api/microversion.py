"""Compute API microversions: negotiation through OpenStack-API-Version headers.

Each change a microversion brings is tested where it applies, as
`req.version >= (2, 19)`; docs/api-coverage.md lists what each adds.
"""
from __future__ import annotations

import re
from typing import Any

from stratus.api.errors import error_response

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 104)
# Each number is bounded: no real version has more digits, and int() of thousands of
# digits is refused by Python (a ValueError, not a parse).
_FORMAT = re.compile(r"^([1-9]\d{0,5})\.([1-9]\d{0,5}|0)$")
_MAX_ECHO = 64


def to_str(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


class BadVersion(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def requested(headers: dict[str, str]) -> tuple[int, int]:
    """The version a request asks for; BadVersion when malformed or unsupported."""
    value = None
    generic = headers.get("openstack-api-version")
    if generic:
        for item in generic.split(","):
            parts = item.strip().split(None, 1)
            if len(parts) == 2 and parts[0].lower() == "compute":
                value = parts[1].strip()
    if value is None:
        value = headers.get("x-openstack-nova-api-version")
    if value is None:
        return MIN_VERSION
    if value.lower() == "latest":
        return MAX_VERSION
    match = _FORMAT.match(value)
    if not match:
        shown = value if len(value) <= _MAX_ECHO else value[:_MAX_ECHO] + "..."
        raise BadVersion(400, f"API Version String {shown} is of invalid format. Must be "
                              f"of format MajorNum.MinorNum.")
    version = (int(match.group(1)), int(match.group(2)))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise BadVersion(406, f"Version {value} is not supported by the API. Minimum is "
                              f"{to_str(MIN_VERSION)} and maximum is {to_str(MAX_VERSION)}.")
    return version


class MicroversionMiddleware:
    """Parses the version of /v2.1 requests and stamps it on responses."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v2.1"):
            await self.app(scope, receive, send)
            return
        # Header bytes as HTTP defines them (latin-1): any byte decodes, and a value that
        # is not a version is then refused as one.
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope["headers"]}
        try:
            version = requested(headers)
        except BadVersion as e:
            await error_response("nova", e.code, e.message)(scope, receive, send)
            return
        scope.setdefault("state", {})["api_version"] = version
        text = to_str(version).encode()

        async def send_with_version(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"openstack-api-version", b"compute " + text),
                    (b"x-openstack-nova-api-version", text),
                    (b"vary", b"OpenStack-API-Version, X-OpenStack-Nova-API-Version")]
            await send(message)

        await self.app(scope, receive, send_with_version)
