"""The themes of the year's tuyên vận plan, per quarter (``YYYY-Qn``) and per month.

A month's theme is its own, else its quarter's; a meeting without a theme of its own
takes its month's.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage.tables import MeetingRow, PlanThemeRow


def quarter_of(month: str) -> str:
    """``2024-Q1`` for ``2024-03``."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def month_themes(session: Session, months: Iterable[str]) -> dict[str, str]:
    """month → its theme in the plan (months without one are left out)."""
    wanted = set(months)
    periods = wanted | {quarter_of(m) for m in wanted}
    if not periods:
        return {}
    found = dict(
        session.execute(select(PlanThemeRow.period, PlanThemeRow.theme).where(PlanThemeRow.period.in_(periods))).all()
    )
    out = {}
    for month in wanted:
        theme = found.get(month) or found.get(quarter_of(month))
        if theme:
            out[month] = theme
    return out


def meeting_theme(session: Session, meeting: MeetingRow) -> str | None:
    """The meeting's own theme, else its month's in the plan."""
    return meeting_themes(session, [meeting])[meeting.id]


def meeting_themes(session: Session, meetings: Iterable[MeetingRow]) -> dict[str, str | None]:
    """meeting id → its theme as :func:`meeting_theme` resolves it, for many meetings at once
    (one query for the plan, however many months they span)."""
    rows = list(meetings)
    plan = month_themes(session, {m.month for m in rows if not m.theme})
    return {m.id: m.theme or plan.get(m.month) for m in rows}


def year_rows(session: Session, year: int) -> list[PlanThemeRow]:
    return list(session.scalars(select(PlanThemeRow).where(PlanThemeRow.year == year).order_by(PlanThemeRow.period)))
