"""JsonFilter: the "query" scheduler hint, a JSON expression over host attributes.

Example: ["and", [">=", "$free_ram_mb", 1024], ["<", "$num_instances", 10]]
Operators: = < > <= >= in not or and; "$name" reads an attribute of the host state.
"""
from __future__ import annotations

import json
import operator
from typing import Any, Callable

from scheduler.filters import BaseHostFilter
from scheduler.host_state import HostState
from scheduler.request import SchedulingRequest

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "<": operator.lt, ">": operator.gt, "<=": operator.le,
    ">=": operator.ge}


def _value(host: HostState, term: Any) -> Any:
    if isinstance(term, str) and term.startswith("$"):
        return getattr(host, term[1:], None)
    return term


def evaluate(host: HostState, query: Any) -> bool:
    if not isinstance(query, list) or not query:
        return bool(query)
    op, *args = query
    if op in ("and", "or", "not"):
        results = [evaluate(host, a) for a in args]
        return {"and": all, "or": any}[op](results) if op != "not" else not results[0]
    values = [evaluate(host, a) if isinstance(a, list) else _value(host, a) for a in args]
    if op == "in":
        return values[0] in values[1:]
    if op in _COMPARE and len(values) == 2:
        try:
            return _COMPARE[op](values[0], values[1])
        except TypeError:
            return False
    return False


def _query(spec: SchedulingRequest) -> Any:
    raw = spec.scheduler_hints.get("query")
    return json.loads(raw) if isinstance(raw, str) else raw


class JsonFilter(BaseHostFilter):
    def applies(self, spec: SchedulingRequest) -> bool:
        return _query(spec) is not None

    def host_passes(self, host: HostState, spec: SchedulingRequest) -> bool:
        query = _query(spec)
        return query is None or evaluate(host, query)

    def reason(self, spec: SchedulingRequest) -> str:
        return f"does not match the query {json.dumps(_query(spec))}"
