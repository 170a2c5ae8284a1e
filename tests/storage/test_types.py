"""Moments are stored time-zone aware and read back identically on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from models.storage.db import Database
from models.storage.tables import AuditRow


def test_aware_moment_round_trips_as_the_same_utc_instant(database: Database) -> None:
    """A +07:00 moment comes back as the same instant, in UTC, with microseconds kept."""
    moment = dt.datetime(2024, 3, 6, 7, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with database.transaction() as session:
        session.add(AuditRow(at=moment, action="test", entity="test", detail={}))
    with database.reader() as session:
        stored = session.scalar(select(AuditRow.at))
    assert stored == moment
    assert stored is not None
    assert stored.utcoffset() == dt.timedelta(0)
    assert stored.isoformat() == "2024-03-06T00:30:15.123456+00:00"


def test_naive_moment_is_refused(database: Database) -> None:
    """A datetime without a zone is never stored (its meaning would depend on the server)."""
    with database.writer() as session:
        session.add(AuditRow(at=dt.datetime(2024, 3, 6, 7, 30), action="test", entity="test", detail={}))
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()
