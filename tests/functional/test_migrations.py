"""The alembic migrations build exactly the schema the models describe, on every database."""
from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from conductor import manage
from conductor.db import api as db
from conductor.db.models import Base
from tests.functional.conftest import configure, reset_process_state, unconfigure
from tests.functional.servers import scratch_database


@contextlib.contextmanager
def database(kind: str, tmp_path: pathlib.Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/stratus.sqlite"
    else:
        with scratch_database(kind) as url:
            yield url


@pytest.mark.parametrize("kind", ["sqlite", "mysql", "postgresql"])
def test_db_sync_matches_models(kind: str, tmp_path: pathlib.Path) -> None:
    with database(kind, tmp_path) as url:
        configure(str(tmp_path), url)
        reset_process_state()
        try:
            assert manage.db_sync() == manage.db_version() is not None
            with db.get_engine().connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == []
            assert manage.db_sync() == manage.db_version()  # again: a no-op
            boot = manage.bootstrap(admin_password="pw")
            assert boot["user"]["name"] == "admin"
            assert manage.bootstrap()["password"] is None  # idempotent, keeps the password
        finally:
            reset_process_state()
            unconfigure()
