"""Test databases: one migrated SQLite file and one PostgreSQL database per xdist worker.

PostgreSQL is reached through ``PHANCONG_TEST_POSTGRES_URL`` (default: the local server,
user ``root``, database ``test``); each worker creates its own database beside it, so
parallel workers never see each other's rows. Set the variable to ``skip`` to run the
SQLite half alone on a machine without PostgreSQL. Between tests the rows are deleted,
which is much faster than migrating again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from models.storage import migrate
from models.storage.db import Database
from models.storage.tables import Base, CalendarStampRow

BACKENDS = ("sqlite", "postgresql")
ADMIN_URL = os.environ.get("PHANCONG_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")


def worker_name() -> str:
    """This xdist worker, tagged with the checkout: two checkouts testing at once on one
    PostgreSQL server (a developer's worktrees, CI beside a session) must not drop each
    other's databases."""
    checkout = hashlib.sha1(str(Path(__file__).resolve().parents[2]).encode()).hexdigest()[:6]
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{checkout}"


def postgres_url(name: str) -> str:
    """URL of the database ``name`` on the test server (created empty)."""
    if ADMIN_URL == "skip":
        pytest.skip("PHANCONG_TEST_POSTGRES_URL=skip: PostgreSQL tests left out")
    admin = make_url(ADMIN_URL)
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def drop_postgres(name: str) -> None:
    admin = make_url(ADMIN_URL)
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_url(backend: str, directory: Path, label: str) -> str:
    """An empty database (no tables) of ``backend`` private to this worker."""
    name = f"phancong_{label}_{worker_name()}"
    if backend == "sqlite":
        path = directory / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    return postgres_url(name)


#: How many times each backend's test database was wiped: lets a cached world notice that
#: another test emptied the database under it.
WIPES: dict[str, int] = {}


def wipe(database: Database) -> None:
    """Delete every row, children first; the calendar stamp's row stays, as the schema's
    own (like Alembic's version): the deletes raise it, as any write does."""
    WIPES[database.backend] = WIPES.get(database.backend, 0) + 1
    with database.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table is not CalendarStampRow.__table__:
                session.execute(delete(table))


class Migrated:
    """One migrated database per backend for the whole worker session, opened lazily."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.open: dict[str, Database] = {}

    def get(self, backend: str) -> Database:
        if backend not in self.open:
            url = fresh_url(backend, self.directory, "t")
            database = Database.connect(url)
            migrate.upgrade(url, engine=database.engine)
            self.open[backend] = database
        return self.open[backend]

    def close(self) -> None:
        for backend, database in self.open.items():
            database.dispose()
            if backend == "postgresql":
                drop_postgres(make_url(database.engine.url).database or "")
