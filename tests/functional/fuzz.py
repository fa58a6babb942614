"""A seeded fuzzer for the Stratus REST APIs (see docs/fuzzing.md).

Requests come from each app's route table, the JSON schemas its handlers validate
bodies against (learned by watching `validate`), the query parameters its handler
modules read, and pools of real ids and hostile values. Every response is checked:
no 5xx, no reply slower than SLOW_SECONDS, every error body in the API's OpenStack
format, and no database row left behind by a refused request. A 501 is Nova's
deliberate "not implemented" reply (os-hypervisors uptime on a driver without one),
not a failure; its body is checked like every error body.
"""
from __future__ import annotations

import contextlib
import dataclasses
import inspect
import json
import logging
import pathlib
import random
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

SLOW_SECONDS = 1.0
ERRORS_LOGGER = "stratus.api.errors"
PROJECT_ROOT = str(pathlib.Path(__file__).resolve().parents[2])
SAFE_METHODS = ("GET", "HEAD")
ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

# Nova's fault names by status; any other error status is a computeFault.
NOVA_FAULTS = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
               405: "badMethod", 409: "conflictingRequest", 413: "overLimit",
               415: "badMediaType", 429: "overLimit", 501: "notImplemented",
               503: "serviceUnavailable"}
ERROR_STYLES = {"compute": "nova", "image": "nova", "identity": "keystone"}

# Raw JSON text that json.dumps cannot write: placeholders swapped in after dumping.
RAW_JSON = {
    "@@digits@@": "9" * 5000,
    "@@bigfloat@@": "1e400",
    "@@nan@@": "NaN",
    "@@infinity@@": "-Infinity",
    "@@deep@@": "[" * 5000 + "]" * 5000,
}

NASTY_STRINGS = [
    "", " ", "x", "abc", "..", "../../etc/passwd", "\x00", "a\x00b", "\n", "é☃😀",
    "\u202e", "\ud800", "\udfff", "x" * 5000, "^x-(a+)+$", "(a|a)*b", "[", "%s%n",
    "' OR 1=1 --", "<script>", "null", "true", "0", "-1", "1.5", str(2 ** 64),
    str(-2 ** 64), "1e309", "NaN", " x", "x ", "@@digits@@",
]
NASTY_VALUES: list[Any] = [
    None, True, False, 0, -1, 1.5, -0.0, 2 ** 31, 2 ** 63, 2 ** 64, -2 ** 64, 10 ** 30,
    "@@digits@@", "@@bigfloat@@", "@@nan@@", "@@infinity@@", "@@deep@@",
    {}, [], [None], ["x"], [[]], {"": None}, {"x": {"x": {"x": {}}}},
    [1] * 1000, "\ud800", "x" * 5000, "", "x",
]
# The mutations every node of a schema-valid body gets in the systematic pass.
CORE_VALUES: list[Any] = ["x", 2 ** 64, str(2 ** 64), "\ud800", None]
# Keys tried in free-form objects ("type": "object" without properties).
OPEN_KEYS = ["project", "domain", "id", "name", "system", "user", "x"]

# Query values, already percent-encoded where they must reach the server raw.
NASTY_QUERY = [
    "", "x", "-1", "0", str(2 ** 64), str(-2 ** 64), "9" * 5000, "1e309", "NaN", "%00",
    "%ED%A0%80", "%FF", "x" * 5000, quote("^x-(a+)+$"), quote("(a|a)*b"), "%5B", "true",
    "none", quote("é☃"), "2020-13-45T99:99:99Z", quote("' OR 1=1 --"), "%25", "..",
]
CORE_QUERY = [str(2 ** 64), "-1", "%00", "%ED%A0%80", "x" * 5000, quote("^x-(a+)+$")]
COMMON_QUERY = ["limit", "marker", "offset", "sort_key", "sort_dir", "all_tenants",
                "all_projects", "name"]

CORE_PATH = [str(2 ** 64), "-1", "%ED%A0%80", "%00", "%2E%2E", "x" * 300]
PATH_JUNK = [
    "0", "-1", str(2 ** 64), "9" * 40, "%2E%2E", ".", "%20", "%00", "%ED%A0%80", "%FF",
    quote("é☃"), "x" * 300, "null", "%25", "%2F", quote("' OR 1=1"), "detail", "action",
]

GOOD_VERSIONS = ["2.1", "2.2", "2.10", "2.11", "2.19", "2.25", "2.26", "2.32", "2.36",
                 "2.37", "2.38", "2.42", "2.47", "2.48", "2.53", "2.54", "2.55", "2.57",
                 "2.58", "2.60", "2.63", "2.64", "latest"]
BAD_VERSIONS = ["2.9999", "2.0", "1.1", "3.0", "2", "2.", ".1", "02.1", "2.01", "x",
                "", "9" * 5000, "2." + "9" * 5000, "9" * 5000 + ".1", "2.1 ", "-2.1",
                "2.65", "latest latest", "2.1.1", "2." + str(2 ** 64)]
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain",
                 "application/octet-stream", "application/x-www-form-urlencoded",
                 "application/openstack-images-v2.1-json-patch", "", "*/*"]
REFERENCE = re.compile(r"(ref|_id|^id$|uuid|tenant|host|key_name|group|project|user)",
                       re.IGNORECASE)


# --- routes ------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Route:
    api: str
    method: str
    template: str
    module: str

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.template)


def routes(app: Any, api: str) -> list[Route]:
    """Every (method, path) the app serves, through included routers."""
    return sorted({Route(api, m, path, e.__module__) for path, methods, e in _walk(app.routes)
                   for m in methods}, key=lambda r: (r.template, r.method))


def _walk(items: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str], Any]]:
    for item in items:
        if hasattr(item, "original_router"):
            yield from _walk(item.original_router.routes,
                             prefix + item.include_context.prefix)
        elif getattr(item, "methods", None):
            yield prefix + item.path, item.methods, item.endpoint
        elif hasattr(item, "routes"):
            yield from _walk(item.routes, prefix + getattr(item, "path", ""))


def query_names(module_name: str) -> list[str]:
    """The query parameters a handler module reads: string literals on lines that
    touch the query, and the members of its *PARAMS*/*FILTERS* constants."""
    module = sys.modules[module_name]
    names: set[str] = set(COMMON_QUERY)
    for line in inspect.getsource(module).splitlines():
        if re.search(r"query|params|_param\(|for \w+ in \(", line):
            names.update(n for n in re.findall(r'"([A-Za-z_][\w.:-]{0,39})"', line))
    for attr, value in vars(module).items():
        if re.search(r"PARAMS|FILTERS", attr) and isinstance(value, (set, frozenset,
                                                                       tuple, list)):
            names.update(v for v in value if isinstance(v, str))
    return sorted(names)


# --- requests and findings ---------------------------------------------------------------

@dataclasses.dataclass
class Call:
    route: Route
    path: str
    query: str = ""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: bytes | None = None
    method: str = ""
    labels: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        self.method = self.method or self.route.method

    @property
    def url(self) -> str:
        return self.path + ("?" + self.query if self.query else "")

    def describe(self) -> str:
        shown = {k: self.labels.get(v, _clip(v, 120)) for k, v in self.headers.items()}
        body = _clip(self.body.decode("utf-8", "replace"), 600) if self.body is not None \
            else None
        return (f"{self.method} {_clip(self.url, 400)}\n    headers: {shown}"
                f"\n    body: {body}")


@dataclasses.dataclass
class Outcome:
    call: Call
    status: int
    text: str
    seconds: float
    problems: list[str]
    response: Any = None

    def describe(self) -> str:
        return (f"{self.call.describe()}\n    -> {self.status} in {self.seconds:.3f}s: "
                f"{_clip(self.text, 400)}")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} chars)"


def error_format_problem(api: str, status: int, resp: Any) -> str | None:
    """Why an error response is not in the API's OpenStack error format, or None."""
    try:
        body = resp.json()
    except ValueError:
        return "error body is not JSON"
    if ERROR_STYLES[api] == "keystone":
        inner = body.get("error") if isinstance(body, dict) else None
        ok = (isinstance(inner, dict) and inner.get("code") == status
              and isinstance(inner.get("message"), str) and isinstance(inner.get("title"), str))
        return None if ok else "error body is not {'error': {code, title, message}}"
    name = NOVA_FAULTS.get(status, "computeFault")
    inner = body.get(name) if isinstance(body, dict) and len(body) == 1 else None
    ok = (isinstance(inner, dict) and inner.get("code") == status
          and isinstance(inner.get("message"), str))
    return None if ok else f"error body is not {{'{name}': {{code, message}}}}"


class Findings:
    """Problems deduplicated by (method, route, status, kind), with the first example."""

    def __init__(self) -> None:
        self.first: dict[tuple[str, str, str, int, str], Outcome] = {}
        self.counts: dict[tuple[str, str, str, int, str], int] = {}

    def add(self, outcome: Outcome) -> None:
        for problem in outcome.problems:
            call = outcome.call
            key = (call.route.api, call.method, call.route.template, outcome.status,
                   problem.split(":")[0])
            self.first.setdefault(key, outcome)
            self.counts[key] = self.counts.get(key, 0) + 1

    def report(self) -> str:
        lines = [f"{len(self.first)} distinct problems (by API, method, route, status, kind):"]
        for key, outcome in sorted(self.first.items()):
            api, method, template, status, kind = key
            lines.append(f"\n[{api}] {method} {template} -> {status}: {kind} "
                         f"(x{self.counts[key]}); {'; '.join(outcome.problems)}\n  "
                         + outcome.describe())
        return "\n".join(lines)


class LastError(logging.Handler):
    """Keeps the exception of the last unexpected API error logged, to name the cause."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.text = self.kind = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.text = cause(record.exc_info[1])
            self.kind = kind_of(record.exc_info[1])

    @contextlib.contextmanager
    def installed(self) -> Iterator[LastError]:
        logger = logging.getLogger(ERRORS_LOGGER)
        logger.addHandler(self)
        try:
            yield self
        finally:
            logger.removeHandler(self)


def cause(error: BaseException) -> str:
    """The exception and the innermost frame of our own code that raised it."""
    return f"{type(error).__name__}: {_clip(str(error), 200)}{_where(error)}"


def kind_of(error: BaseException) -> str:
    return f"{type(error).__name__}{_where(error)}"


def _where(error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if f.filename.startswith(PROJECT_ROOT) and "/.venv/" not in f.filename]
    if not frames:
        return ""
    return f" at {'/'.join(frames[-1].filename.rsplit('/', 2)[-2:])}:{frames[-1].lineno}"


# --- the database --------------------------------------------------------------------------

def row_counts() -> dict[str, int]:
    """The number of rows of every table of the conductor's database."""
    from conductor.db import api as db
    from conductor.db import models
    tables = models.Base.metadata.sorted_tables
    query = sa.select(*[sa.select(sa.func.count()).select_from(t).scalar_subquery()
                        .label(t.name) for t in tables])
    with db.reader() as session:
        return dict(session.execute(query).one()._mapping)


def grown(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {t: after[t] - before.get(t, 0) for t in after if after[t] > before.get(t, 0)}


def settle(limit: float = 2.0, step: float = 0.03) -> None:
    """Wait until background work stops adding or removing rows (bounded)."""
    deadline = time.monotonic() + limit
    last, stable = row_counts(), 0
    while stable < 2 and time.monotonic() < deadline:
        time.sleep(step)
        now = row_counts()
        stable = stable + 1 if now == last else 0
        last = now


# --- bodies from schemas -------------------------------------------------------------------

@dataclasses.dataclass
class Learned:
    """A schema a handler validated, where in the body it applies and at which version."""
    schema: dict[str, Any]
    wrapper: str | None
    version: str | None


class SchemaBook:
    """The schemas seen per route, recorded by a spy on `validate`."""

    def __init__(self) -> None:
        self.current: tuple[Route, Any, str | None] | None = None
        self.entries: dict[tuple[str, str, str], dict[str, Learned]] = {}

    def spy(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def validate(body: Any, schema: dict[str, Any]) -> Any:
            self.record(body, schema)
            return real(body, schema)
        return validate

    def record(self, body: Any, schema: dict[str, Any]) -> None:
        if self.current is None:
            return
        route, sent, version = self.current
        wrapper = _wrapper_of(body, sent)
        if wrapper is False:
            return
        key = (route.api, route.method, route.template)
        text = json.dumps(schema, sort_keys=True, default=str) + str(wrapper)
        self.entries.setdefault(key, {}).setdefault(text, Learned(schema, wrapper, version))

    def learned(self, route: Route) -> list[Learned]:
        return list(self.entries.get((route.api, route.method, route.template), {}).values())


def _wrapper_of(validated: Any, sent: Any) -> str | None | bool:
    """None when the handler validated the whole body, the key when body[key], else False."""
    if _same(validated, sent):
        return None
    if isinstance(sent, dict):
        for key, value in sent.items():
            if _same(validated, value):
                return key
    return False


def _same(a: Any, b: Any) -> bool:
    try:
        return type(a) is type(b) and a == b
    except RecursionError:
        return False


class Maker(random.Random):
    """Schema-valid instances (from a seeded generator) and their mutations."""

    def __init__(self, seed: int, references: Callable[[], list[str]]) -> None:
        super().__init__(seed)
        self.references = references
        self.optional = 0.5

    def instance(self, schema: Any, depth: int = 0, field: str = "") -> Any:
        if not isinstance(schema, dict) or depth > 8:
            return self.choice(NASTY_VALUES[:12])
        if "enum" in schema:
            return self.choice(schema["enum"])
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                return self.instance({**{k: v for k, v in schema.items() if k != key},
                                      **self.choice(schema[key])}, depth, field)
        if schema.get("allOf"):
            merged = dict(schema)
            for part in merged.pop("allOf"):
                merged = _merge(merged, part)
            return self.instance(merged, depth, field)
        kind = self._type(schema)
        make = {"object": self._object, "array": self._array, "string": self._string,
                "integer": self._integer, "number": self._number,
                "boolean": lambda s, d, f: self.choice([True, False]),
                "null": lambda s, d, f: None}[kind]
        return make(schema, depth, field)

    def _type(self, schema: dict[str, Any]) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = self.choice(kind) if kind else None
        if kind in ("object", "array", "string", "integer", "number", "boolean", "null"):
            return kind
        if "properties" in schema or "patternProperties" in schema:
            return "object"
        return "array" if "items" in schema else "string"

    def _object(self, schema: dict[str, Any], depth: int, field: str) -> dict[str, Any]:
        required = set(schema.get("required", []))
        out: dict[str, Any] = {}
        for key, sub in schema.get("properties", {}).items():
            if key in required or self.random() < self.optional:
                out[key] = self.instance(sub, depth + 1, key)
        for pattern, sub in schema.get("patternProperties", {}).items():
            if self.random() < self.optional:
                key = self._matching(pattern, ["fuzz-key", "key1", "a", "k" * 255], 1, 255)
                out[key] = self.instance(sub, depth + 1, key)
        return out

    def _array(self, schema: dict[str, Any], depth: int, field: str) -> list[Any]:
        items = schema.get("items", {})
        if isinstance(items, list):
            return [self.instance(s, depth + 1, field) for s in items]
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + 2), low + 2)
        return [self.instance(items, depth + 1, field)
                for _ in range(self.randint(max(low, 1 if self.optional > 0.9 else low),
                                            max(high, low)))]

    def _string(self, schema: dict[str, Any], depth: int, field: str) -> str:
        low, high = schema.get("minLength", 0), schema.get("maxLength", 64)
        fmt = schema.get("format")
        if fmt:
            return {"uuid": str(uuid.UUID(int=self.getrandbits(128))),
                    "date-time": "2024-01-02T03:04:05Z", "ipv4": "10.0.0.5",
                    "ipv6": "fd00::5", "uri": "http://127.0.0.1/x",
                    "email": "a@example.org"}.get(fmt, "x")
        candidates = [f"fuzz-{self.randint(0, 999)}", "1", "0", "2", "true", "none", "auto",
                      "vm", "2024-01-02T03:04:05Z"]
        if REFERENCE.search(field) and self.references():
            candidates.insert(0, self.choice(self.references()))
        return self._matching(schema.get("pattern"), candidates, low, high)

    def _matching(self, pattern: str | None, candidates: list[str], low: int,
                  high: int) -> str:
        for text in candidates:
            if low <= len(text) <= high and (not pattern or _search(pattern, text)):
                return text
        return candidates[0]

    def _integer(self, schema: dict[str, Any], depth: int, field: str) -> int:
        low = schema.get("minimum", -1 if self.random() < 0.1 else 0)
        high = min(schema.get("maximum", 100), low + 100)
        return self.randint(int(low), int(max(low, high)))

    def _number(self, schema: dict[str, Any], depth: int, field: str) -> float:
        return round(self._integer(schema, depth, field) + self.random(), 3)

    def mutate(self, value: Any) -> Any:
        """One random change: a node replaced by a nasty value, dropped, or a key added."""
        paths = list(nodes(value))
        path = self.choice(paths)
        roll = self.random()
        if roll < 0.15 and path and isinstance(_get(value, path[:-1]), dict):
            return _without(value, path)
        if roll < 0.3 and isinstance(_get(value, path), dict):
            return _replace(value, path, {**_get(value, path),
                                          self.choice(OPEN_KEYS): self.nasty()})
        return _replace(value, path, self.nasty())

    def nasty(self) -> Any:
        if self.random() < 0.5:
            return self.choice(NASTY_STRINGS)
        return self.choice(NASTY_VALUES)


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = {**a, **b}
    out["properties"] = {**a.get("properties", {}), **b.get("properties", {})}
    out["required"] = [*a.get("required", []), *b.get("required", [])]
    return out


_pattern_cache: dict[str, re.Pattern[str] | None] = {}


def _search(pattern: str, text: str) -> bool:
    if pattern not in _pattern_cache:
        try:
            _pattern_cache[pattern] = re.compile(pattern)
        except re.error:
            _pattern_cache[pattern] = None
    compiled = _pattern_cache[pattern]
    return compiled is None or compiled.search(text) is not None


def nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every position in a JSON value, the root first."""
    yield path
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from nodes(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from nodes(sub, (*path, index))


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value.get(head), rest, new)}
    return [_replace(v, rest, new) if i == head else v for i, v in enumerate(value)]


def _without(value: Any, path: tuple[Any, ...]) -> Any:
    parent = _get(value, path[:-1])
    return _replace(value, path[:-1], {k: v for k, v in parent.items() if k != path[-1]})


def free_objects(schema: Any, value: Any,
                 path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Positions whose schema allows an object but names no properties (free-form)."""
    if not isinstance(schema, dict):
        return
    kinds = schema.get("type", "object")
    props = schema.get("properties")
    if "object" in (kinds if isinstance(kinds, list) else [kinds]) and not props \
            and not schema.get("patternProperties") and "enum" not in schema:
        yield path
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from free_objects((props or {}).get(key), sub, (*path, key))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, sub in enumerate(value):
            yield from free_objects(schema["items"], sub, (*path, index))


def dumps(value: Any) -> bytes:
    """JSON text, with lone surrogates as raw \\ud800 escapes and RAW_JSON swapped in."""
    text = json.dumps(value, ensure_ascii=True)
    for marker, raw in RAW_JSON.items():
        text = text.replace(json.dumps(marker), raw)
    return text.encode()


# --- the pools of real values ----------------------------------------------------------------

PARAM_KINDS = {"server_id": "server", "key": "meta_key", "network": "network",
               "request_id": "request", "flavor_id": "flavor", "name": "keypair",
               "project_id": "project", "class_name": "quota_class", "service_id": "service",
               "hypervisor_id": "hypervisor", "pattern": "host", "aggregate_id": "aggregate",
               "group_id": "server_group", "user_id": "user", "role_id": "role",
               "domain_id": "domain", "image_id": "image"}
COLLECTION_KINDS = {"servers": "server", "flavors": "flavor", "os-keypairs": "keypair",
                    "os-aggregates": "aggregate", "os-server-groups": "server_group",
                    "images": "image", "projects": "project", "users": "user", "roles": "role"}
POOL_CAP = 40


@dataclasses.dataclass
class Pools:
    """Real values by kind. `keep` values (the fuzzer's own users, projects, roles, and
    one object of each compute kind) go into no PUT, PATCH or DELETE path, so the tokens
    stay valid and every kind keeps a live object; the other real values are fair game."""
    ids: dict[str, list[str]]
    keep: set[str]
    tokens: dict[str, str | None]
    subjects: dict[str, str]

    def kind(self, route: Route, param: str) -> str:
        if param == "ident":
            return COLLECTION_KINDS[route.template.split("/")[2]]
        return PARAM_KINDS.get(param, "server")

    def choices(self, kind: str, method: str) -> list[str]:
        values = self.ids.get(kind, [])
        if method in ("PUT", "PATCH", "DELETE"):
            values = [v for v in values if v not in self.keep]
        return values

    def add(self, kind: str, value: Any) -> None:
        values = self.ids.setdefault(kind, [])
        if isinstance(value, (str, int)) and str(value) not in values \
                and len(values) < POOL_CAP:
            values.append(str(value))

    def every(self) -> list[str]:
        return [v for values in self.ids.values() for v in values]

    def labels(self) -> dict[str, str]:
        named = {v: f"<{k} token>" for k, v in self.tokens.items() if v}
        return {**named, **{v: f"<{k} token>" for k, v in self.subjects.items()}}


# --- the runner ------------------------------------------------------------------------------

@dataclasses.dataclass
class Stats:
    requests: int = 0
    statuses: dict[int, int] = dataclasses.field(default_factory=dict)
    slowest: list[tuple[float, str]] = dataclasses.field(default_factory=list)
    phases: dict[str, int] = dataclasses.field(default_factory=dict)
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)
    started: float = dataclasses.field(default_factory=time.monotonic)

    def add(self, outcome: Outcome, phase: str, spent: float) -> None:
        self.requests += 1
        self.seconds[phase] = self.seconds.get(phase, 0.0) + spent
        self.phases[phase] = self.phases.get(phase, 0) + 1
        self.statuses[outcome.status] = self.statuses.get(outcome.status, 0) + 1
        self.slowest.append((outcome.seconds, f"{outcome.call.method} "
                                              f"{_clip(outcome.call.url, 100)}"))
        self.slowest = sorted(self.slowest, reverse=True)[:5]

    def summary(self, title: str) -> str:
        elapsed = time.monotonic() - self.started
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        slow = "; ".join(f"{s:.3f}s {c}" for s, c in self.slowest)
        phases = ", ".join(f"{p}: {n} in {self.seconds[p]:.1f}s"
                           for p, n in self.phases.items())
        return (f"fuzz {title}: {self.requests} requests in {elapsed:.1f}s "
                f"({phases}); statuses {{{statuses}}}; slowest: {slow}")


class Runner:
    """Sends generated requests to one API and checks every response."""

    def __init__(self, api: str, client: Any, app_routes: list[Route], pools: Pools,
                 book: SchemaBook, seed: int) -> None:
        self.api, self.client, self.routes = api, client, app_routes
        self.pools, self.book = pools, book
        self.rng = Maker(seed, pools.every)
        self.findings, self.stats = Findings(), Stats()
        self.last_error = LastError()
        self.examples: dict[tuple[str, str], list[tuple[Any, str | None]]] = {}

    # sending and checking

    def send(self, call: Call, sent: Any = None, version: str | None = None,
             phase: str = "random") -> Outcome:
        started = time.monotonic()
        before = row_counts()
        outcome = self._request(call, sent, version)
        outcome.problems = self._problems(outcome, grown(before, row_counts()))
        self.findings.add(outcome)
        if outcome.status < 400 and call.method not in SAFE_METHODS:
            self._harvest(call, outcome)
            settle()
        self.stats.add(outcome, phase, time.monotonic() - started)
        return outcome

    def _request(self, call: Call, sent: Any, version: str | None) -> Outcome:
        call.labels = self.pools.labels()
        self.book.current = (call.route, sent, version)
        self.last_error.text = self.last_error.kind = ""
        started = time.perf_counter()
        try:
            resp = self.client.request(call.method, call.url, content=call.body,
                                       headers=call.headers, follow_redirects=False)
        finally:
            self.book.current = None
        seconds = time.perf_counter() - started
        return Outcome(call, resp.status_code, resp.text, seconds, [], resp)

    def _problems(self, outcome: Outcome, rows: dict[str, int]) -> list[str]:
        problems, status, call = [], outcome.status, outcome.call
        if status >= 500 and status != 501:
            problems.append(f"server error {status} {self.last_error.kind}: "
                            f"{self.last_error.text or 'no traceback'}")
        if outcome.seconds > SLOW_SECONDS and self._still_slow(call, status):
            problems.append(f"slow: {outcome.seconds:.2f}s")
        if status >= 400 and call.method != "HEAD":
            wrong = error_format_problem(self.api, status, outcome.response)
            if wrong:
                problems.append(f"format: {wrong}")
        if status >= 400 and rows and self._still_leaks(call):
            problems.append(f"leak: refused request added rows {rows}")
        return problems

    def _still_slow(self, call: Call, status: int) -> bool:
        """A slow reply to a request that is safe to repeat counts when the repeat is slow."""
        if call.method not in SAFE_METHODS and status < 400:
            return True
        return self._request(call, None, None).seconds > SLOW_SECONDS

    def _still_leaks(self, call: Call) -> bool:
        """Rows from background work are not leaks: once settled, the repeat must add rows."""
        settle()
        before = row_counts()
        again = self._request(call, None, None)
        return again.status >= 400 and bool(grown(before, row_counts()))

    def _harvest(self, call: Call, outcome: Outcome) -> None:
        segments = call.route.template.rstrip("/").split("/")
        kind = COLLECTION_KINDS.get(segments[-1])
        if call.method != "POST" or kind is None:
            return
        try:
            body = json.loads(outcome.text)
        except ValueError:
            return
        inner = next(iter(body.values()), None) if isinstance(body, dict) else None
        if isinstance(inner, dict):
            self.pools.add(kind, inner.get("name" if kind == "keypair" else "id"))

    # building requests

    def path(self, route: Route, method: str, junk: float = 0.25,
             fixed: dict[str, str] | None = None) -> str:
        def fill(match: re.Match[str]) -> str:
            if fixed and match.group(1) in fixed:
                return fixed[match.group(1)]
            values = self.pools.choices(self.pools.kind(route, match.group(1)), method)
            if self.rng.random() < 0.08:
                values = self.pools.every()
            if values and self.rng.random() >= junk:
                return quote(self.rng.choice(values), safe="")
            return self.rng.choice([*PATH_JUNK, str(uuid.UUID(int=self.rng.getrandbits(128)))])
        return re.sub(r"{(\w+)}", fill, route.template)

    def query(self, route: Route, method: str) -> str:
        if self.rng.random() < (0.35 if method in SAFE_METHODS else 0.85):
            return ""
        names = query_names(route.module)
        pairs = []
        for _ in range(self.rng.randint(1, 3)):
            name = quote(self.rng.choice(names)) if self.rng.random() < 0.9 \
                else self.rng.choice(["x" * 300, "%00", "a%5Bb%5D", "", "%ED%A0%80"])
            pairs.append(f"{name}={self.query_value()}")
        return "&".join(pairs)

    def query_value(self) -> str:
        if self.rng.random() < 0.5:
            return self.rng.choice(NASTY_QUERY)
        plain = ["1", "2", "10", "true", "false", "desc", "asc", "name", "ACTIVE",
                 "2024-01-02T03:04:05Z", *self.pools.every()[:20]]
        return quote(self.rng.choice(plain), safe="")

    def headers(self, route: Route, method: str, version: str | None) -> dict[str, str]:
        headers = self._token()
        if self.api == "compute":
            headers.update(self._version(version))
        if self.api == "identity" and "/auth/tokens" in route.template:
            headers.update(self._subject(method))
        headers.update(self._content_type(route))
        return headers

    def _token(self) -> dict[str, str]:
        weights = {"admin": 45, "member": 15, "reader": 10, "other": 10, "none": 7,
                   "garbage": 6, "revoked": 7}
        label = self.rng.choices(list(weights), list(weights.values()))[0]
        token = self.pools.tokens.get(label)
        return {"X-Auth-Token": token} if token else {}

    def _version(self, version: str | None) -> dict[str, str]:
        roll = self.rng.random()
        if version and roll < 0.7:
            value = version
        elif roll < 0.85:
            value = self.rng.choice(GOOD_VERSIONS)
        elif roll < 0.95:
            value = self.rng.choice(BAD_VERSIONS)
        else:
            return {}
        if self.rng.random() < 0.15:
            return {"X-OpenStack-Nova-API-Version": value}
        return {"OpenStack-API-Version": f"compute {value}"}

    def _subject(self, method: str) -> dict[str, str]:
        subjects = list(self.pools.subjects.values())
        if method in SAFE_METHODS:
            subjects += [t for t in self.pools.tokens.values() if t]
        if self.rng.random() < 0.8 and subjects:
            return {"X-Subject-Token": self.rng.choice(subjects)}
        return {"X-Subject-Token": self.rng.choice(["", "x", "9" * 300, "gAAAA" + "A" * 200])}

    def _content_type(self, route: Route) -> dict[str, str]:
        usual = "application/json"
        if self.api == "image" and route.method == "PATCH":
            usual = "application/openstack-images-v2.1-json-patch"
        elif route.template.endswith("/file"):
            usual = "application/octet-stream"
        value = usual if self.rng.random() < 0.85 else self.rng.choice(CONTENT_TYPES)
        return {"Content-Type": value} if value else {}

    def body(self, route: Route) -> tuple[bytes | None, Any, str | None]:
        learned = self.book.learned(route)
        if route.method in (*SAFE_METHODS, "DELETE") and self.rng.random() < 0.9:
            return None, None, None
        if learned and self.rng.random() < 0.85:
            entry = self.rng.choice(learned)
            self.rng.optional = self.rng.choice([0.2, 0.5, 0.9])
            value = self.rng.instance(entry.schema)
            if self.rng.random() < 0.75:
                value = self.rng.mutate(value)
            sent = {entry.wrapper: value} if entry.wrapper else value
            return dumps(sent), sent, entry.version
        if route.template.endswith("/file") and self.rng.random() < 0.5:
            return self.rng.randbytes(self.rng.choice([0, 1, 1024])), None, None
        raw = [b"", b"{", b"\xff\xfe\x00", b"null", b'{"a":1,"a":2}', b"x" * 70000]
        if self.rng.random() < 0.3:
            return self.rng.choice(raw), None, None
        return dumps(self.rng.nasty()), None, None

    def random_call(self) -> tuple[Call, Any, str | None]:
        route = self.rng.choice(self.routes)
        method = route.method if self.rng.random() > 0.03 else self.rng.choice(ALL_METHODS)
        body, sent, version = self.body(route)
        call = Call(route, self.path(route, method), self.query(route, method),
                    self.headers(route, method, version), body, method)
        return call, sent, version

    def random_phase(self, count: int, deadline: float) -> None:
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            call, sent, version = self.random_call()
            self.send(call, sent, version)

    # the deterministic passes

    def admin_call(self, route: Route, path: str, body: bytes | None, version: str | None,
                   query: str = "") -> Call:
        headers = {"X-Auth-Token": self.pools.tokens["admin"] or "",
                   **self._content_type_of(route)}
        if self.api == "compute" and version:
            headers["OpenStack-API-Version"] = f"compute {version}"
        return Call(route, path, query, headers, body)

    def _content_type_of(self, route: Route) -> dict[str, str]:
        if self.api == "image" and route.method == "PATCH":
            return {"Content-Type": "application/openstack-images-v2.1-json-patch"}
        return {"Content-Type": "application/json"}

    def learn(self, actions: list[str], versions: list[str], action_versions: list[str]) -> None:
        """Probe every route that takes a body so its handler shows its schemas."""
        for route in self.routes:
            if route.method not in ("POST", "PUT", "PATCH"):
                continue
            is_action = route.template.endswith("/action")
            probes = [{name: "\x00"} for name in actions] if is_action else [{}]
            for version in (action_versions if is_action else versions):
                for path in self.probe_paths(route):
                    for sent in probes:
                        call = self.admin_call(route, path, dumps(sent), version)
                        self.send(call, sent, version, "learn")

    def probe_paths(self, route: Route) -> list[str]:
        """Real values in the path; every value of the last parameter's pool when small."""
        params = route.params
        if not params:
            return [route.template]
        path = route.template
        for param in params[:-1]:
            values = self.pools.choices(self.pools.kind(route, param), route.method)
            path = path.replace(f"{{{param}}}", quote(values[0] if values else "x", safe=""))
        last = self.pools.choices(self.pools.kind(route, params[-1]), route.method) or ["x"]
        return [path.replace(f"{{{params[-1]}}}", quote(v, safe="")) for v in last[:8]]

    def schema_pass(self, cap: int) -> None:
        """Each node of a minimal schema-valid body in turn set to each of CORE_VALUES."""
        for route in self.routes:
            mutants = list(self.mutants(route))
            if len(mutants) > cap:
                mutants = self.rng.sample(mutants, cap)
            for sent, version in mutants:
                path = self.path(route, route.method, junk=0)
                self.send(self.admin_call(route, path, dumps(sent), version), sent, version,
                          "schema")

    def mutants(self, route: Route) -> Iterator[tuple[Any, str | None]]:
        for example, version in self.examples.get((route.method, route.template), []):
            yield example, version
            for where in list(nodes(example))[1:]:
                for value in CORE_VALUES:
                    yield _replace(example, where, value), version
            yield from self.open_keys(None, example, version)
        for entry in self.rng.sample(self.book.learned(route), len(self.book.learned(route))):
            def wrap(value: Any) -> Any:
                return {entry.wrapper: value} if entry.wrapper else value
            self.rng.optional = 0.0
            minimal = self.rng.instance(entry.schema)
            self.rng.optional = 1.0
            maximal = self.rng.instance(entry.schema)
            yield wrap(minimal), entry.version
            yield wrap(maximal), entry.version
            for where in list(nodes(maximal))[1:]:
                base = graft(minimal, maximal, where)
                for value in CORE_VALUES:
                    yield wrap(_replace(base, where, value)), entry.version
            yield from ((wrap(v), entry.version)
                        for v, _ in self.open_keys(entry.schema, maximal, None))

    def open_keys(self, schema: Any, value: Any,
                  version: str | None) -> Iterator[tuple[Any, str | None]]:
        """Free-form objects given each of OPEN_KEYS (the whole value's when no schema)."""
        places = free_objects(schema, value) if schema is not None else \
            [p for p in nodes(value) if isinstance(_get(value, p), dict)]
        for where in list(places):
            current = _get(value, where)
            for key in OPEN_KEYS:
                added = {**current, key: "x"} if isinstance(current, dict) else {key: "x"}
                yield _replace(value, where, added), version

    def path_pass(self) -> None:
        """Each path parameter in turn set to each of CORE_PATH, the others real, with a
        schema-valid body where the route takes one."""
        for route in self.routes:
            for param in route.params:
                for index, value in enumerate(CORE_PATH):
                    version = GOOD_VERSIONS[index * 7 % len(GOOD_VERSIONS)]
                    body = self.valid_body(route)
                    call = self.admin_call(route, self.path(route, route.method, 0,
                                                            {param: value}),
                                           None if body is None else dumps(body), version)
                    self.send(call, body, version, "path")

    def valid_body(self, route: Route) -> Any:
        learned = self.book.learned(route)
        if not learned:
            return None
        entry = self.rng.choice(learned)
        self.rng.optional = 0.0
        value = self.rng.instance(entry.schema)
        return {entry.wrapper: value} if entry.wrapper else value

    def query_pass(self) -> None:
        """Each query parameter a handler module reads set to each of CORE_QUERY, on the
        module's GET routes with the fewest path parameters, in turn."""
        for module in sorted({r.module for r in self.routes}):
            targets = self.query_targets(module)
            pairs = [(n, v) for n in query_names(module) for v in CORE_QUERY]
            for index, (name, value) in enumerate(pairs):
                route = targets[index % len(targets)] if targets else None
                if route is None:
                    break
                call = self.admin_call(route, self.path(route, "GET", junk=0), None,
                                       GOOD_VERSIONS[index % len(GOOD_VERSIONS)],
                                       f"{quote(name)}={value}")
                self.send(call, None, None, "query")

    def query_targets(self, module: str) -> list[Route]:
        gets = [r for r in self.routes if r.module == module and r.method == "GET"]
        fewest = min((len(r.params) for r in gets), default=0)
        return [r for r in gets if len(r.params) == fewest]


_MISSING = object()


def _find(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return _MISSING
    return value


def graft(minimal: Any, maximal: Any, where: tuple[Any, ...]) -> Any:
    """The minimal value plus the branch of the maximal one that holds `where`."""
    for depth in range(len(where) + 1):
        prefix = where[:depth]
        mine = _find(minimal, prefix)
        if mine is _MISSING or type(mine) is not type(_get(maximal, prefix)):
            if depth and isinstance(_find(minimal, prefix[:-1]), list):
                prefix = prefix[:-1]
            return _replace(minimal, prefix, _get(maximal, prefix))
    return minimal
