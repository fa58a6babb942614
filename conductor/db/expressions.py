"""SQL expressions every database we support computes, each in its own dialect."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class seconds_between(FunctionElement[float]):  # noqa: N801 - used as a SQL function
    """seconds_between(a, b): the seconds from datetime a to datetime b (negative when b
    is earlier), with the fraction the database keeps."""
    type = sa.Float()
    name = "seconds_between"
    inherit_cache = True


def _args(element: Any, compiler: Any, **kw: Any) -> tuple[str, str]:
    start, stop = list(element.clauses)
    return compiler.process(start, **kw), compiler.process(stop, **kw)


@compiles(seconds_between)
def _standard(element: Any, compiler: Any, **kw: Any) -> str:  # PostgreSQL
    start, stop = _args(element, compiler, **kw)
    return f"EXTRACT(EPOCH FROM ({stop} - {start}))"


@compiles(seconds_between, "sqlite")
def _sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    """Whole seconds of the times as stored ('YYYY-MM-DD HH:MM:SS.ffffff') without their
    fractions, then the fractions (from the 20th character): exact to the microsecond,
    where SQLite's own date functions keep milliseconds."""
    start, stop = _args(element, compiler, **kw)
    return (f"((CAST(strftime('%s', substr({stop}, 1, 19)) AS INTEGER) - "
            f"CAST(strftime('%s', substr({start}, 1, 19)) AS INTEGER)) + "
            f"(CAST(substr({stop}, 20) AS REAL) - CAST(substr({start}, 20) AS REAL)))")


@compiles(seconds_between, "mysql")
@compiles(seconds_between, "mariadb")
def _mysql(element: Any, compiler: Any, **kw: Any) -> str:
    start, stop = _args(element, compiler, **kw)
    return f"(TIMESTAMPDIFF(MICROSECOND, {start}, {stop}) / 1000000.0)"
