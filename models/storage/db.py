"""Engines and sessions: SQLite by default (a file, zero set-up), PostgreSQL when
``PHANCONG_DATABASE_URL`` names one.

SQLite needs three things to behave like a server database here: foreign keys switched
on, WAL (readers never wait for the writer) with a busy timeout, and write transactions
that take the write lock at ``BEGIN`` (``BEGIN IMMEDIATE``). Without the last, two
transactions that both read then write fail with "database is locked" instead of
waiting for each other. Readers keep a plain deferred ``BEGIN``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///phancong.db"
ENV_URL = "PHANCONG_DATABASE_URL"
_BEGIN_OPTION = "phancong_begin"


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``PHANCONG_DATABASE_URL``, else ``phancong.db`` here.

    A bare ``postgresql://`` URL is given the psycopg 3 driver, the one installed.
    """
    raw = url or os.environ.get(ENV_URL) or DEFAULT_URL
    parsed = make_url(raw)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the SQLite settings above applied when it is SQLite."""
    parsed: URL = make_url(database_url(url))
    # A pool as large as the requests served at once (the server's worker threads): a
    # connection opened beyond it is closed again on return, and under a burst that
    # churn (a new PostgreSQL backend each time) costs more than the queries.
    if parsed.database not in (None, "", ":memory:"):  # an in-memory SQLite has a pool of its own kind
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 20)
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {}).update(check_same_thread=False, timeout=30)
        engine = create_engine(parsed, **kwargs)
        _tune_sqlite(engine)
        return engine
    # No pre-ping: it costs a round trip on every checkout, i.e. on every request; a
    # connection dropped by a server restart fails one request and is then replaced.
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(parsed, **kwargs)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so that our BEGIN is the one sent.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


@dataclass(frozen=True)
class Database:
    """An engine with its two session factories: for reading, and for changing data."""

    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str | None = None, **kwargs: Any) -> Database:
        engine = make_engine(url, **kwargs)
        writing = engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        return cls(
            engine=engine,
            reader=sessionmaker(engine, expire_on_commit=False),
            writer=sessionmaker(writing, expire_on_commit=False),
        )

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.url.get_backend_name()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing session committed at the end of the block, rolled back on any error."""
        with self.writer() as session, session.begin():
            yield session

    def warm(self) -> None:
        """Open the pool's connections now, so that the first burst of requests does not
        wait for new database connections (a PostgreSQL backend takes milliseconds to start)."""
        size = getattr(self.engine.pool, "size", lambda: 1)()
        connections = [self.engine.connect() for _ in range(size)]
        for connection in connections:
            connection.close()

    def dispose(self) -> None:
        self.engine.dispose()
