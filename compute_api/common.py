"""What every compute API handler needs: the caller, the version, links, paging."""
from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Callable, TypeVar
from urllib.parse import urlencode

from fastapi import Request

from stratus import exception, policy
from stratus.api.auth import get_project_context
from stratus.config import CONF
from stratus.context import RequestContext

MAX_LIMIT = 1000


@dataclasses.dataclass
class Req:
    ctx: RequestContext
    version: tuple[int, int]
    query: Any
    path: str
    _checks: dict[tuple[str, tuple[tuple[str, Any], ...]], bool] = dataclasses.field(
        default_factory=dict)

    def at_least(self, minor: int) -> bool:
        return self.version >= (2, minor)

    def authorize(self, action: str, target: dict[str, Any] | None = None) -> None:
        policy.authorize(self.ctx, action, target)

    def can(self, action: str, target: dict[str, Any] | None = None) -> bool:
        """A policy check, remembered for the request (list views repeat them)."""
        key = (action, tuple(sorted((target or {}).items())))
        if key not in self._checks:
            self._checks[key] = policy.check(self.ctx, action, target)
        return self._checks[key]


def req(request: Request) -> Req:
    """FastAPI dependency: an authenticated compute API request. From 2.102 a query
    parameter its handler does not declare (query_params) is 400."""
    r = Req(ctx=get_project_context(request),
            version=getattr(request.state, "api_version", (2, 1)),
            query=request.query_params, path=request.url.path)
    endpoint = request.scope.get("endpoint")
    refuse_unknown_query(r, getattr(endpoint, "query_params", frozenset()), since=102)
    return r


Handler = TypeVar("Handler", bound=Callable[..., Any])


def query_params(*names: str) -> Callable[[Handler], Handler]:
    """Declare the query parameters a handler takes (from 2.102 every other is 400; a
    handler that declares none takes none). Below the route decorator."""
    def mark(handler: Handler) -> Handler:
        handler.query_params = frozenset(names)  # type: ignore[attr-defined]
        return handler
    return mark


def base_url() -> str:
    return CONF.compute_api.public_endpoint.rstrip("/")


def links(collection: str, ident: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": f"{base_url()}/v2.1/{collection}/{ident}"},
            {"rel": "bookmark", "href": f"{base_url()}/{collection}/{ident}"}]


def next_link(r: Req, marker: str) -> dict[str, str]:
    params = [(k, v) for k, v in r.query.multi_items() if k != "marker"]
    params.append(("marker", marker))
    return {"rel": "next", "href": f"{base_url()}{r.path}?{urlencode(params)}"}


def page(r: Req, name: str, items: list[Any], rows: list[dict[str, Any]],
         limit: int | None, id_key: str) -> dict[str, Any]:
    """A collection body, with a `<name>_links` next link when the page is full."""
    body: dict[str, Any] = {name: items}
    if limit is not None and rows and len(rows) == limit:
        body[f"{name}_links"] = [next_link(r, rows[-1][id_key])]
    return body


def limit_and_marker(r: Req) -> tuple[int, str | None]:
    raw = r.query.get("limit")
    limit = MAX_LIMIT
    if raw is not None:
        try:
            limit = int(raw)
        except ValueError:
            raise exception.ValidationError(reason="limit param must be an integer") from None
        if limit < 0:
            raise exception.ValidationError(reason="limit param must be positive")
    return min(limit, MAX_LIMIT), r.query.get("marker")


def offset_and_limit(r: Req) -> tuple[int, int]:
    """Nova's common.limited: offset and limit, non-negative integers (limit at most
    MAX_LIMIT; 0 or absent: MAX_LIMIT)."""
    values = []
    for name in ("offset", "limit"):
        raw = r.query.get(name, "0")
        try:
            value = int(raw)
        except ValueError:
            raise exception.ValidationError(reason=f"{name} param must be an integer") \
                from None
        if value < 0:
            raise exception.ValidationError(reason=f"{name} param must be positive")
        values.append(value)
    offset, limit = values
    return offset, min(limit or MAX_LIMIT, MAX_LIMIT)


def iso(value: str | None) -> str | None:
    """Times as Nova prints them: 2012-08-20T21:11:09Z."""
    return value + "Z" if value else value


def query_time(r: Req, name: str) -> str | None:
    """A date-time query parameter as naive UTC ISO text; 400 when it is not one."""
    raw = r.query.get(name)
    if raw is None:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise exception.ValidationError(
            reason=f"Invalid input for query parameters {name}. Value: {raw}. "
                   f"'{raw}' is not a 'date-time'") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed.isoformat()


def changes_window(r: Req) -> tuple[str | None, str | None]:
    """changes-since and changes-before (query_time), the first not after the second."""
    since, before = query_time(r, "changes-since"), query_time(r, "changes-before")
    if since and before and before < since:
        raise exception.Invalid("The value of changes-since must be less than or equal to "
                                "changes-before.")
    return since, before


def refuse_unknown_query(r: Req, allowed: set[str], since: int = 75) -> None:
    """From microversion 2.`since` (2.75 for most lists and shows) a query parameter the
    API does not take is 400, as Nova's additionalProperties false."""
    if not r.at_least(since):
        return
    unknown = sorted(set(r.query.keys()) - allowed)
    if unknown:
        raise exception.ValidationError(
            reason=f"Invalid input for query parameters: additional properties are not "
                   f"allowed ({', '.join(unknown)} unexpected)")
