"""The alembic migrations build exactly the schema the models describe."""
from __future__ import annotations

import pathlib

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from conductor import manage
from conductor.db import api as db
from conductor.db.models import Base
from tests.conftest import configure, reset_process_state, unconfigure


def test_db_sync_matches_models(tmp_path: pathlib.Path) -> None:
    configure(str(tmp_path))
    reset_process_state()
    try:
        assert manage.db_sync() == manage.db_version() is not None
        with db.get_engine().connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        # Running it again is a no-op.
        assert manage.db_sync() == manage.db_version()
    finally:
        reset_process_state()
        unconfigure()
