"""Revision 0015 on both databases: a month closed before it keeps the levels in force at
the upgrade (the Board's, else the defaults), so later levels no longer rank it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import JSON, MetaData, Table, inspect, select, type_coerce

from models.storage import migrate
from models.storage.db import Database
from tests.storage.databases import drop_postgres, fresh_url, worker_name

BOARD = [{"name": "Tốt", "min_points": 80.0}, {"name": "Chưa tốt", "min_points": 0.0}]
DEFAULTS = [
    {"name": "Xuất sắc", "min_points": 90.0},
    {"name": "Tốt", "min_points": 75.0},
    {"name": "Đạt", "min_points": 50.0},
    {"name": "Chưa đạt", "min_points": 0.0},
]


@pytest.mark.parametrize(("board", "kept"), [(BOARD, BOARD), (None, DEFAULTS)], ids=["board", "defaults"])
def test_closed_months_get_the_levels_in_force(
    backend: str, tmp_path: Path, board: list[dict[str, object]] | None, kept: list[dict[str, object]]
) -> None:
    """At 0014, November closed (with or without the Board's levels); after 0015 its record
    holds those levels; back at 0014 the column is gone and the month still closed."""
    database = Database.connect(fresh_url(backend, tmp_path, "mig15"))
    try:
        migrate.upgrade(engine=database.engine, revision="0014")
        with database.engine.begin() as connection:
            tables = MetaData()
            closed = Table("closed_months", tables, autoload_with=connection)
            config = Table("config", tables, autoload_with=connection)
            if board is not None:
                connection.execute(config.insert().values(key="ranking_levels", value=board))
            at = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
            connection.execute(closed.insert().values(month="2025-11", closed_at=at, closed_by=None))
        migrate.upgrade(engine=database.engine)
        with database.engine.connect() as connection:
            closed = Table("closed_months", MetaData(), autoload_with=connection)
            # Reflected, a JSON column of SQLite is text: read it as JSON.
            levels = type_coerce(closed.c.levels, JSON())
            assert connection.execute(select(closed.c.month, levels)).all() == [("2025-11", kept)]
        migrate.downgrade(engine=database.engine, revision="0014")
        columns = {c["name"] for c in inspect(database.engine).get_columns("closed_months")}
        assert "levels" not in columns
        with database.engine.connect() as connection:
            closed = Table("closed_months", MetaData(), autoload_with=connection)
            assert connection.execute(select(closed.c.month)).scalars().all() == ["2025-11"]
    finally:
        database.dispose()
        if backend == "postgresql":
            drop_postgres(f"phancong_mig15_{worker_name()}")
