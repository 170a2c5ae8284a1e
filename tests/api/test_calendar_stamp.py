"""The calendars a web process keeps (api/calendars.py) and the stamp that says whether
they are current (migration 0014): every table a calendar is read from has its trigger,
every write raises the stamp, a kept calendar is answered with one statement, and a
change made through another web process shows at once."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Select, event, select, text
from sqlalchemy.sql.util import find_tables

from api.app import create_app
from api.calendars import BuiltCalendars
from api.settings import Settings
from models.storage import calendar as calendar_queries
from models.storage import schedules, users
from models.storage.db import Database
from models.storage.tables import CalendarStampRow, ScheduleRow
from tests.api.helpers import feed_url
from tests.api.world import World

calendar_stamp_migration = importlib.import_module("models.migrations.versions.0014_calendar_stamp")

#: Read on every request (a revoked URL stops at once), so kept calendars never depend on it.
CHECKED_EACH_TIME = {"calendar_feeds", "calendar_stamp", "users", "api_tokens"}


def _generation(database: Database) -> int:
    with database.reader() as session:
        value = session.scalar(select(CalendarStampRow.generation).where(CalendarStampRow.id == 1))
    assert value is not None
    return value


def _read_tables() -> set[str]:
    statements = [value for value in vars(calendar_queries).values() if isinstance(value, Select)]
    statements += [users._AUTHENTICATE_NAMED]
    found = {table.name for statement in statements for table in find_tables(statement)}
    return found - CHECKED_EACH_TIME


def test_every_table_a_calendar_reads_is_watched() -> None:
    """A new table in a calendar query without its trigger would leave kept calendars stale."""
    read = _read_tables()
    assert {"assignments", "published_months", "meetings", "delegates", "communes", "config"} <= read
    assert read <= set(calendar_stamp_migration.SOURCES)


def test_each_watched_table_has_its_trigger(database: Database) -> None:
    with database.reader() as session:
        for table in calendar_stamp_migration.SOURCES:
            if database.backend == "postgresql":
                query = "SELECT count(*) FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal"
                # One per statement; on the published-only tables one per event, and truncate.
                expected = 4 if table in calendar_stamp_migration.PUBLISHED_ONLY else 1
            else:
                query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"
                expected = 3
            assert session.scalar(text(query), {"t": table}) == expected, table


def test_a_write_to_any_watched_table_raises_the_stamp(database: Database, world: World) -> None:
    for table in calendar_stamp_migration.SOURCES:
        with database.reader() as session:
            column = session.execute(text(f"SELECT * FROM {table} LIMIT 1")).keys()
            rows = session.scalar(text(f"SELECT count(*) FROM {table}"))
        assert rows, f"the world has no row in {table}: the test would prove nothing"
        first = next(iter(column))
        before = _generation(database)
        with database.transaction() as session:
            session.execute(text(f"UPDATE {table} SET {first} = {first}"))
        assert _generation(database) > before, table
    before = _generation(database)
    with database.transaction() as session:
        session.execute(text("DELETE FROM change_requests"))
    assert _generation(database) > before


def test_drafts_leave_the_stamp_and_publishing_raises_it(database: Database, world: World) -> None:
    """Every solve and every edit writes a draft: kept calendars must outlive them."""
    with database.reader() as session:
        published = session.scalar(select(ScheduleRow).where(ScheduleRow.status == "published"))
        assert published is not None
        plan = schedules.plan_of(session, published)
    before = _generation(database)
    with database.transaction() as session:
        draft = schedules.create_draft(session, published.month, plan, published.id, None)
        schedules.replace_plan(session, draft, plan)
        draft_id, revision = draft.id, draft.revision
    assert _generation(database) == before
    with database.transaction() as session:
        schedules.publish(session, draft_id, revision, None)
    assert _generation(database) > before
    before = _generation(database)
    with database.transaction() as session:  # a hand-made fix to a published version
        session.execute(
            text("UPDATE assignments SET delegate_name = delegate_name WHERE schedule_id = :s"), {"s": draft_id}
        )
    assert _generation(database) > before


def test_a_rolled_back_write_leaves_the_stamp(database: Database, world: World) -> None:
    before = _generation(database)
    session = database.writer()
    session.begin()
    session.execute(text("UPDATE delegates SET name = name"))
    session.rollback()
    session.close()
    assert _generation(database) == before


@contextmanager
def _selects(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def test_a_kept_calendar_is_answered_with_one_statement(client: TestClient, database: Database, world: World) -> None:
    url = feed_url(client, world)
    first = client.get(url)
    json_first = client.get("/me/calendar", headers=world.auth("delegate"))
    with _selects(database) as seen:
        again = client.get(url)
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(seen) == 1, seen
    with _selects(database) as seen:
        json_again = client.get("/me/calendar", headers=world.auth("delegate"))
    assert json_again.json() == json_first.json()
    assert len(seen) == 1, seen


def _unfolded(raw: bytes) -> bytes:
    return raw.replace(b"\r\n ", b"")


@pytest.fixture
def second_process(database: Database, settings: Settings) -> Iterator[TestClient]:
    """Another web process on the same database: its own app, its own kept calendars."""
    other: FastAPI = create_app(settings, database)
    with TestClient(other) as client:
        yield client
    other.state.runner.shutdown()


def test_a_change_made_through_another_process_shows_at_once(
    client: TestClient, second_process: TestClient, world: World
) -> None:
    url = feed_url(client, world)
    kept = client.get("/me/calendar", headers=world.auth("delegate")).json()
    before = client.get(url)
    renamed = second_process.patch("/delegates/d1", json={"name": "Nguyễn Văn Kiên Mới"}, headers=world.auth("planner"))
    assert renamed.status_code == 200, renamed.text
    after = client.get(url)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "Nguyễn Văn Kiên Mới".encode() in _unfolded(after.content)
    assert client.get("/me/calendar", headers=world.auth("delegate")).json()["name"] == "Nguyễn Văn Kiên Mới"
    assert kept["name"] != "Nguyễn Văn Kiên Mới"
    district = second_process.patch(
        "/communes/c1", json={"district": "thành phố Lào Cai"}, headers=world.auth("planner")
    )
    assert district.status_code == 200, district.text
    assert "thành phố Lào Cai".encode() in _unfolded(client.get(url).content)


def test_a_revoked_url_stops_at_once_though_its_calendar_was_kept(client: TestClient, world: World) -> None:
    url = feed_url(client, world)
    assert client.get(url).status_code == 200
    assert client.delete("/me/calendar-feed", headers=world.auth("delegate")).status_code == 200
    assert client.get(url).status_code == 404


def test_a_newer_calendar_is_not_replaced_by_an_older_one() -> None:
    kept: BuiltCalendars[bytes] = BuiltCalendars(max_bytes=100)
    kept.put("k", 5, b"new", 3)
    kept.put("k", 4, b"old", 3)  # a slower request that read the stamp before the change
    assert kept.get("k", 5) == b"new"
    assert kept.get("k", 4) is None
    kept.put("k", None, b"x", 1)  # no stamp row: nothing may be kept
    assert kept.get("k", None) is None
    kept.put("big", 6, b"x" * 200, 200)  # larger than all it may keep
    assert kept.get("big", 6) is None
