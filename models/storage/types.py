"""Column types that behave the same on SQLite and PostgreSQL.

``UTCDateTime`` is the one way a moment is stored: PostgreSQL keeps it in a
``timestamp with time zone`` column, SQLite (which has no time zones) as naive UTC text.
Both give back an aware datetime in UTC, so the same row reads identically on both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime, stored as UTC; naive values are refused (their zone is unknown)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the time zone must be explicit")
        utc = value.astimezone(dt.UTC)
        # SQLite's DATETIME keeps no offset: store the UTC wall time and mark it on the way out.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """Now, aware, in UTC: the only clock the storage layer reads."""
    return dt.datetime.now(dt.UTC)
