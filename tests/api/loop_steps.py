"""Steps shared by the after-meeting tests: publish a month with suggested teams straight
into the database, read back what a month's instance sees, count rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from models.storage import schedules
from models.storage.db import Database
from models.storage.mapping import month_document
from models.storage.schedules import Plan
from models.storage.tables import MeetingRow, UserRow

FULL = {"to-chuc": 15, "noi-dung": 20, "nam-tinh-hinh": 20, "to-tuyen-van": 20, "ket-qua": 25}


def scores(total: float) -> dict[str, float]:
    """Points of the default criteria adding up to ``total`` (each criterion alike)."""
    return {key: most * total / 100 for key, most in FULL.items()}


def republish(database: Database, month: str, pairs: list[tuple[str, str]], visits: dict[tuple[str, str], str]) -> int:
    """Publish a new version of ``month`` with these pairs and suggested teams; its id."""
    with database.transaction() as session:
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner").order_by(UserRow.id))
        assert planner is not None
        base = schedules.current(session, month)
        draft = schedules.create_draft(
            session, month, Plan(pairs=pairs, visits=visits, total=0), base.id if base else None, planner.id
        )
        schedules.publish(session, draft.id, draft.revision, planner.id)
        return draft.id


def add_meeting(database: Database, meeting_id: str, commune: str, start: dt.datetime) -> None:
    with database.transaction() as session:
        local_month = start.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%Y-%m")
        session.add(
            MeetingRow(
                id=meeting_id,
                commune_id=commune,
                starts_at=start,
                month=local_month,
                minutes=180,
                senior_tier_set=False,
            )
        )


def history(database: Database, month: str) -> dict[str, Any]:
    """The history the solver's instance of ``month`` is given."""
    with database.reader() as session:
        return dict(month_document(session, month)["history"])


def document(database: Database, month: str) -> dict[str, Any]:
    with database.reader() as session:
        return month_document(session, month)


def count(database: Database, table: Any) -> int:
    with database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)
