"""Engine and transactions of the conductor's database."""
from __future__ import annotations

import contextlib
import datetime
import os
import threading
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from stratus import exception, regex
from stratus.config import CONF

_engine: sa.Engine | None = None
_sessionmaker: sessionmaker[Session] | None = None
_engine_lock = threading.Lock()
# SQLite allows one writer: serialize our writers instead of retrying on
# "database is locked". Server databases use row locks (SELECT ... FOR UPDATE).
_sqlite_write_lock = threading.RLock()


def _make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
        engine = sa.create_engine(url, echo=CONF.database.echo,
                                  connect_args={"check_same_thread": False,
                                                "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            dbapi_conn.create_function("regexp", 2, _regexp, deterministic=True)
        return engine
    return sa.create_engine(url, echo=CONF.database.echo, pool_pre_ping=True,
                            pool_size=10, max_overflow=20)


def _regexp(pattern: str | None, value: str | None) -> bool:
    """SQLite has no REGEXP of its own; server databases do. RE2, not `re`: a backtracking
    match would hold the interpreter lock of every service in the process."""
    if pattern is None or value is None:
        return False
    return regex.search(pattern, value)


def get_engine() -> sa.Engine:
    global _engine, _sessionmaker
    with _engine_lock:
        if _engine is None:
            _engine = _make_engine(CONF.database.connection)
            _sessionmaker = sessionmaker(bind=_engine, expire_on_commit=False)
        return _engine


def dispose() -> None:
    global _engine, _sessionmaker
    with _engine_lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
        _sessionmaker = None


def is_sqlite() -> bool:
    return get_engine().dialect.name == "sqlite"


@contextlib.contextmanager
def reader() -> Iterator[Session]:
    get_engine()
    assert _sessionmaker is not None
    with _translate_errors(), _sessionmaker() as session:
        yield session


@contextlib.contextmanager
def writer() -> Iterator[Session]:
    """A transaction that commits on success and rolls back on any error."""
    get_engine()
    assert _sessionmaker is not None
    lock = _sqlite_write_lock if is_sqlite() else contextlib.nullcontext()
    with lock, _translate_errors(), _sessionmaker() as session:
        with session.begin():
            yield session


@contextlib.contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except sa.exc.IntegrityError as e:
        raise exception.Duplicate(reason=_integrity_reason(e)) from e
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as e:
        if getattr(e, "connection_invalidated", False) or _is_disconnect(e):
            raise exception.ServiceUnavailable(
                reason="The database is unavailable; try again shortly.") from e
        raise


def _is_disconnect(e: sa.exc.DBAPIError) -> bool:
    text = str(e.orig).lower()
    return any(s in text for s in ("connection refused", "can't connect",
                                   "server has gone away", "lost connection",
                                   "connection is closed", "terminating connection"))


def _integrity_reason(e: sa.exc.IntegrityError) -> str:
    return "A resource with these unique attributes already exists."


def to_dict(row: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as JSON-safe values, the way it travels over RPC."""
    out: dict[str, Any] = {}
    for col in row.__table__.columns:
        if col.key in skip:
            continue
        out[col.key] = json_safe(getattr(row, col.key))
    return out


def json_safe(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat()
    return value


def parse_time(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed
