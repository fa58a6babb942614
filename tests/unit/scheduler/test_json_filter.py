import json

import pytest

from scheduler.filters.json_query import JsonFilter
from tests.unit.scheduler.hosts import host, spec


@pytest.mark.parametrize("query,passes", [
    (None, True),
    ([">=", "$free_ram_mb", 1024], True),
    ([">=", "$free_ram_mb", 100000], False),
    (["and", ["<", "$num_instances", 3], ["=", "$host", "h1"]], True),
    (["or", ["=", "$host", "h2"], ["in", "$host", "h3", "h1"]], True),
    (["not", ["=", "$host", "h1"]], False),
    (["bogus", 1, 2], False),
])
def test_json_filter(query: object, passes: bool) -> None:
    hints = {} if query is None else {"query": json.dumps(query)}
    assert JsonFilter().host_passes(host("h1", num_instances=2),
                                    spec(scheduler_hints=hints)) is passes
