"""What happened at the published meetings, as the reports say: who attended, which teams
were visited unannounced.

A published assignment counts as attended, and its suggested team as visited, until a
report says otherwise: an assigned delegate who did not go is no attendance (the one who
went instead is), and a report that names the teams visited replaces the suggestion.
Imported history (before the service) is taken as it was recorded. The solver's history
(:mod:`models.storage.mapping`) and the statistics read the same records from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage.clock import local
from models.storage.tables import (
    AssignmentRow,
    AttendanceRow,
    MeetingReportRow,
    MeetingRow,
    PastVisitRow,
    PublishedMonthRow,
)


@dataclass(frozen=True)
class Attended:
    """One delegate at one meeting (``meeting`` None: imported history)."""

    day: dt.date
    commune: str
    delegate: str
    meeting: str | None = None
    assigned: str | None = None
    """The delegate the published schedule sent (differs from ``delegate`` for a substitute)."""
    confirmed: bool = True
    """False: a published assignment nobody has reported on yet."""


@dataclass(frozen=True)
class Visited:
    day: dt.date
    team: str
    meeting: str | None = None
    confirmed: bool = True


@dataclass(frozen=True)
class Published:
    """An assignment of a schedule in force, with its report (None: not reported)."""

    month: str
    meeting: str
    commune: str
    delegate: str
    day: dt.date
    team: str | None
    report: MeetingReportRow | None


def published(
    session: Session, months: Sequence[str] | None = None, since: str | None = None, until: str | None = None
) -> list[Published]:
    """The assignments of the schedules in force of ``months`` (or of the months from
    ``since`` to ``until`` inclusive; or all), in meeting order, each with its report."""
    query = (
        select(
            PublishedMonthRow.month,
            AssignmentRow.starts_at,
            AssignmentRow.meeting_id,
            MeetingRow.commune_id,
            AssignmentRow.delegate_id,
            AssignmentRow.team_id,
        )
        .join(PublishedMonthRow, PublishedMonthRow.schedule_id == AssignmentRow.schedule_id)
        .join(MeetingRow, MeetingRow.id == AssignmentRow.meeting_id)
        .order_by(AssignmentRow.starts_at, AssignmentRow.meeting_id, AssignmentRow.delegate_id)
    )
    if months is not None:
        query = query.where(PublishedMonthRow.month.in_(list(months)))
    if since is not None:
        query = query.where(PublishedMonthRow.month >= since)
    if until is not None:
        query = query.where(PublishedMonthRow.month <= until)
    rows = list(session.execute(query))
    reports = _reports(session, sorted({r[2] for r in rows}))
    out = []
    for month, starts_at, meeting_id, commune_id, delegate_id, team_id in rows:
        assert starts_at is not None  # frozen at publication
        day = local(starts_at).date()
        report = reports.get((meeting_id, delegate_id))
        out.append(Published(month, meeting_id, commune_id, delegate_id, day, team_id, report))
    return out


def _reports(session: Session, meeting_ids: list[str]) -> dict[tuple[str, str], MeetingReportRow]:
    found: dict[tuple[str, str], MeetingReportRow] = {}
    # In slices: a year of a province is thousands of meetings, more than one IN list should carry.
    for start in range(0, len(meeting_ids), 500):
        chunk = meeting_ids[start : start + 500]
        for row in session.scalars(select(MeetingReportRow).where(MeetingReportRow.meeting_id.in_(chunk))):
            found[(row.meeting_id, row.delegate_id)] = row
    return found


def attended(item: Published) -> str | None:
    """Who was at the meeting in this seat: the assigned delegate, the substitute, or nobody."""
    if item.report is None or item.report.attended:
        return item.delegate
    return item.report.substitute_id


def visited(item: Published) -> list[str]:
    """The teams this seat's visit reached (none when nobody went)."""
    if item.report is None:
        return [item.team] if item.team else []
    if attended(item) is None:
        return []
    if item.report.visits_stated:
        return [v.team_id for v in item.report.visits]
    return [item.team] if item.team else []


def attendances(session: Session, start: dt.date | None = None, end: dt.date | None = None) -> list[Attended]:
    """Every attendance, imported and published, on a day in ``[start, end)``."""
    out: list[Attended] = []
    imported = select(AttendanceRow.attended_on, AttendanceRow.commune_id, AttendanceRow.delegate_id)
    for day, commune, delegate in session.execute(imported):
        if _within(day, start, end):
            out.append(Attended(day, commune, delegate))
    for item in _published_between(session, start, end):
        who = attended(item)
        if who is not None and _within(item.day, start, end):
            out.append(Attended(item.day, item.commune, who, item.meeting, item.delegate, item.report is not None))
    return out


def visits(session: Session, start: dt.date | None = None, end: dt.date | None = None) -> list[Visited]:
    """Every unannounced visit, imported and published, on a day in ``[start, end)``."""
    out: list[Visited] = []
    for day, team in session.execute(select(PastVisitRow.visited_on, PastVisitRow.team_id)):
        if _within(day, start, end):
            out.append(Visited(day, team))
    for item in _published_between(session, start, end):
        if _within(item.day, start, end):
            out.extend(Visited(item.day, t, item.meeting, item.report is not None) for t in visited(item))
    return out


def _published_between(session: Session, start: dt.date | None, end: dt.date | None) -> list[Published]:
    # A meeting's day is in its schedule's month, so the months bound the query.
    since = None if start is None else start.strftime("%Y-%m")
    until = None if end is None else (end - dt.timedelta(days=1)).strftime("%Y-%m")
    return published(session, since=since, until=until)


def _within(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or day >= start) and (end is None or day < end)
