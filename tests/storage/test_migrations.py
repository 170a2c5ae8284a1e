"""Alembic migrations on both databases: up to head, down to base, no drift from the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from models.storage import migrate
from models.storage.db import Database
from models.storage.tables import Base
from tests.storage.databases import Migrated, drop_postgres, fresh_url, worker_name


def _fresh(backend: str, tmp_path: Path) -> Database:
    return Database.connect(fresh_url(backend, tmp_path, "mig"))


def test_upgrade_head_then_downgrade_base(backend: str, tmp_path: Path) -> None:
    """`upgrade head` creates every table of the models; `downgrade base` removes them all."""
    database = _fresh(backend, tmp_path)
    try:
        migrate.upgrade(engine=database.engine)
        tables = set(inspect(database.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert migrate.current_revision(database.engine) == migrate.head_revision()
        migrate.downgrade(engine=database.engine)
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        assert migrate.current_revision(database.engine) is None
    finally:
        database.dispose()
        if backend == "postgresql":
            drop_postgres(f"phancong_mig_{worker_name()}")


def test_migrated_schema_matches_the_models(migrated: Migrated, backend: str) -> None:
    """Autogenerate finds nothing to change after `upgrade head`: migrations and tables agree."""
    database = migrated.get(backend)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
