"""Revision 0007 on both databases: each month already published gets every commune's
flag as a ``migrated`` monthly row; downgrading keeps the communes and their defaults."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import MetaData, Table, inspect, select

from models.storage import migrate
from models.storage.db import Database
from tests.storage.databases import drop_postgres, fresh_url, worker_name


def test_flags_become_monthly_for_published_months(backend: str, tmp_path: Path) -> None:
    """At 0002, two communes (flags 0 and 2) and one published month; after 0007, two migrated
    rows for that month with the flags and reason; back at 0002, the communes are as they were."""
    database = Database.connect(fresh_url(backend, tmp_path, "mig7"))
    now = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    try:
        migrate.upgrade(engine=database.engine, revision="0002")
        with database.engine.begin() as connection:
            tables = MetaData()
            communes = Table("communes", tables, autoload_with=connection)
            schedules = Table("schedules", tables, autoload_with=connection)
            published = Table("published_months", tables, autoload_with=connection)
            connection.execute(
                communes.insert(),
                [
                    {"id": "c1", "name": "Phường Cốc Lếu", "flag": 0, "flag_reason": None},
                    {"id": "c3", "name": "Xã Tả Phời", "flag": 2, "flag_reason": "Tranh chấp đất đai"},
                ],
            )
            row = {"month": "2025-11", "version": 1, "status": "published", "revision": 2, "solver_status": "optimal"}
            row |= {"score_total": 0, "terms": {}, "gaps": [], "created_at": now, "updated_at": now}
            schedule_id = connection.execute(schedules.insert().values(**row)).inserted_primary_key[0]
            connection.execute(published.insert().values(month="2025-11", schedule_id=schedule_id, published_at=now))
        migrate.upgrade(engine=database.engine, revision="0007")
        with database.engine.connect() as connection:
            flags = Table("commune_flags", MetaData(), autoload_with=connection)
            found = connection.execute(
                select(flags.c.commune_id, flags.c.month, flags.c.flag, flags.c.reason, flags.c.source).order_by(
                    flags.c.commune_id
                )
            ).all()
        assert [tuple(r) for r in found] == [
            ("c1", "2025-11", 0, None, "migrated"),
            ("c3", "2025-11", 2, "Tranh chấp đất đai", "migrated"),
        ]
        migrate.downgrade(engine=database.engine, revision="0002")
        assert "commune_flags" not in inspect(database.engine).get_table_names()
        with database.engine.connect() as connection:
            communes = Table("communes", MetaData(), autoload_with=connection)
            assert connection.execute(select(communes.c.id, communes.c.flag).order_by(communes.c.id)).all() == [
                ("c1", 0),
                ("c3", 2),
            ]
    finally:
        database.dispose()
        if backend == "postgresql":
            drop_postgres(f"phancong_mig7_{worker_name()}")
