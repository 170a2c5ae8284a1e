"""Alembic migrations on both databases: up to head, down to base, no drift from the models."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, Table, inspect, select

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
        opts = {"compare_type": True, "include_name": migrate.include_name}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_to_scenarios_keeps_the_jobs_already_there(backend: str, tmp_path: Path) -> None:
    """A database at 0001 holding a job: the scenarios revision (which rebuilds ``jobs`` on
    SQLite) keeps the job, unlinked to any scenario; downgrading to 0001 keeps it too."""
    database = _fresh(backend, tmp_path)
    now = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    try:
        migrate.upgrade(engine=database.engine, revision="0001")
        with database.engine.begin() as connection:
            jobs = Table("jobs", MetaData(), autoload_with=connection)
            row = {"id": "j1", "month": "2025-11", "status": "done", "time_limit": 5.0, "changes_first": False}
            connection.execute(jobs.insert().values(**row, created_at=now, updated_at=now))
        migrate.upgrade(engine=database.engine)
        with database.engine.connect() as connection:
            jobs = Table("jobs", MetaData(), autoload_with=connection)
            found = connection.execute(select(jobs.c.id, jobs.c.month, jobs.c.scenario_id, jobs.c.mode)).all()
        assert [tuple(r) for r in found] == [("j1", "2025-11", None, None)]
        migrate.downgrade(engine=database.engine, revision="0001")
        with database.engine.connect() as connection:
            jobs = Table("jobs", MetaData(), autoload_with=connection)
            assert connection.execute(select(jobs.c.id)).scalars().all() == ["j1"]
            assert "scenario_id" not in jobs.c
        assert "scenarios" not in inspect(database.engine).get_table_names()
    finally:
        database.dispose()
        if backend == "postgresql":
            drop_postgres(f"phancong_mig_{worker_name()}")
