"""The schema: upgrades with alembic (`stratus db sync`, `stratus db version`), or the
tables straight from the models (tests)."""
from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

import migrations
from conductor.db import api as db
from conductor.db.models import Base


def _config() -> Config:
    folder = os.path.dirname(migrations.__file__)
    config = Config(os.path.join(folder, "alembic.ini"))
    config.set_main_option("script_location", folder)
    return config


def upgrade(revision: str = "head") -> None:
    command.upgrade(_config(), revision)


def current_version() -> str | None:
    with db.get_engine().connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def create_tables() -> None:
    Base.metadata.create_all(db.get_engine())
