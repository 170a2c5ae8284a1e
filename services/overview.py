"""What the pages show of a month and of one person's meetings, already filtered by who asks.

A planner sees every meeting of the month with the version in force (or, before any
publication, the newest draft); a commune account only its own commune's meetings and,
once published, who is coming (never the suggested team of the unannounced visit: that
is for the delegate alone); a delegate only the published meetings they attend. The
filters are :mod:`services.access`, the same as the JSON API's. Moments are local. A
meeting's theme is its own, else its month's in the year plan
(:func:`models.storage.themes.meeting_themes`); a published version shows the theme it was
published with, as its calendars do.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.labels import FLAG_LABELS
from models.storage import flags, schedules
from models.storage.clock import local
from models.storage.events import frozen_theme
from models.storage.tables import (
    AssignmentRow,
    CommuneRow,
    DelegateRow,
    MeetingRow,
    PublishedMonthRow,
    ScheduleRow,
    TeamRow,
    UserRow,
)
from models.storage.themes import meeting_themes
from models.storage.types import utcnow
from services.access import commune_scope, delegate_scope
from services.errors import NotFound
from services.requests import standing


@dataclass(frozen=True)
class Seat:
    delegate: str
    name: str
    title: str | None
    tier: int


@dataclass
class MeetingLine:
    id: str
    commune: str
    commune_name: str
    start: dt.datetime
    end: dt.datetime
    theme: str | None
    flag: int = 0
    flag_label: str = ""
    flag_reason: str | None = None
    seats: list[Seat] = field(default_factory=list)
    empty_seats: int = 0
    empty_reason: str | None = None
    pending: str | None = None
    """:data:`~services.requests.PENDING` when a request waits for the Board, :data:`~services.requests.AWAITING`
    when an approved change waits for the next published version."""


@dataclass
class MonthView:
    month: str
    schedule: ScheduleRow | None
    """The version shown: the one in force, else (planners) the newest draft; None: not planned."""
    published: bool
    meetings: list[MeetingLine]


def month_view(session: Session, user: UserRow, month: str) -> MonthView:
    """The month as this account may see it (a delegate: :func:`delegate_meetings` instead)."""
    scope = commune_scope(user)
    schedule = schedules.current(session, month)
    published = schedule is not None
    if schedule is None and scope is None:
        versions = schedules.versions(session, month)
        schedule = max(versions, key=lambda s: s.version) if versions else None
    query = (
        select(MeetingRow, CommuneRow.name)
        .join(CommuneRow, CommuneRow.id == MeetingRow.commune_id)
        .where(MeetingRow.month == month)
        .order_by(MeetingRow.starts_at, MeetingRow.id)
    )
    if scope is not None:
        query = query.where(MeetingRow.commune_id == scope)
    in_force = flags.in_force(session, month) if scope is None else {}
    found = list(session.execute(query))
    # Once published, each meeting as the version in force has it, saying when a change waits.
    shown = standing(session, [meeting for meeting, _ in found]) if published else {}
    found_meetings = [meeting for meeting, _ in found]
    if schedule is None:
        themes = meeting_themes(session, found_meetings)
    else:
        themes = schedules.themes_of(session, schedule, found_meetings)
    lines: dict[str, MeetingLine] = {}
    for meeting, commune_name in found:
        now = shown.get(meeting.id)
        line = MeetingLine(
            id=meeting.id,
            commune=meeting.commune_id,
            commune_name=commune_name,
            start=local(now.start if now else meeting.starts_at),
            end=local(now.end if now else meeting.starts_at + dt.timedelta(minutes=meeting.minutes)),
            theme=themes[meeting.id],
            pending=now.label if now else None,
        )
        flag = in_force.get(meeting.commune_id)
        if flag is not None and flag.flag:
            line.flag, line.flag_label, line.flag_reason = flag.flag, FLAG_LABELS.get(flag.flag, ""), flag.reason
        lines[meeting.id] = line
    if schedule is not None and lines:
        seats = session.execute(
            select(AssignmentRow.meeting_id, DelegateRow.id, DelegateRow.name, DelegateRow.title, DelegateRow.tier)
            .join(DelegateRow, DelegateRow.id == AssignmentRow.delegate_id)
            .where(AssignmentRow.schedule_id == schedule.id, AssignmentRow.meeting_id.in_(list(lines)))
            .order_by(AssignmentRow.meeting_id, DelegateRow.tier, DelegateRow.name)
        )
        for meeting_id, delegate_id, name, title, tier in seats:
            lines[meeting_id].seats.append(Seat(delegate_id, name, title, tier))
        if scope is None:
            for gap in schedule.gaps or []:
                gapped = lines.get(str(gap.get("meeting")))
                if gapped is not None:
                    gapped.empty_seats = int(gap.get("seats") or 0)
                    gapped.empty_reason = str(gap.get("reason") or "") or None
    return MonthView(month, schedule, published, list(lines.values()))


@dataclass(frozen=True)
class DelegateMeeting:
    meeting: str
    commune_name: str
    start: dt.datetime
    end: dt.datetime
    theme: str | None
    team_name: str | None
    """The team suggested for the unannounced visit."""
    pending: str | None = None


@dataclass(frozen=True)
class DelegateMeetings:
    delegate: str
    name: str
    title: str | None
    upcoming: list[DelegateMeeting]
    past: list[DelegateMeeting]


def delegate_meetings(
    session: Session, user: UserRow, delegate_id: str, now: dt.datetime | None = None
) -> DelegateMeetings:
    """The published meetings of a delegate, the coming ones first in time, the past ones
    latest first."""
    delegate_scope(user, delegate_id)
    delegate = session.get(DelegateRow, delegate_id)
    if delegate is None:
        raise NotFound(f"Không có đại biểu {delegate_id}")
    now = now or utcnow()
    rows = session.execute(
        select(MeetingRow, CommuneRow.name, TeamRow.name, AssignmentRow.description)
        .select_from(AssignmentRow)
        .join(PublishedMonthRow, PublishedMonthRow.schedule_id == AssignmentRow.schedule_id)
        .join(MeetingRow, MeetingRow.id == AssignmentRow.meeting_id)
        .join(CommuneRow, CommuneRow.id == MeetingRow.commune_id)
        .outerjoin(TeamRow, TeamRow.id == AssignmentRow.team_id)
        .where(AssignmentRow.delegate_id == delegate_id)
        .order_by(MeetingRow.starts_at, MeetingRow.id)
    )
    upcoming: list[DelegateMeeting] = []
    past: list[DelegateMeeting] = []
    found = list(rows)
    # The times the delegate was told (as the calendar feed has them), until a new version is published.
    shown = standing(session, [meeting for meeting, _, _, _ in found])
    today = meeting_themes(session, [meeting for meeting, _, _, _ in found])
    for meeting, commune_name, team_name, description in found:
        told = shown[meeting.id]
        # The theme the delegate's calendar was given; a row published before events were frozen: today's.
        theme = frozen_theme(description) if description is not None else today[meeting.id]
        item = DelegateMeeting(
            meeting.id, commune_name, local(told.start), local(told.end), theme, team_name, told.label
        )
        (upcoming if told.end >= now else past).append(item)
    return DelegateMeetings(delegate.id, delegate.name, delegate.title, upcoming, past[::-1])


@dataclass(frozen=True)
class CommuneMeeting:
    line: MeetingLine
    month: str
    published: bool


def commune_meetings(session: Session, user: UserRow) -> tuple[CommuneRow, list[CommuneMeeting]]:
    """A commune account's own commune and its meetings, each month with who is coming once published."""
    scope = commune_scope(user)
    if scope is None:
        raise NotFound("Tài khoản cán bộ không gắn với xã/phường nào")
    commune = session.get(CommuneRow, scope)
    if commune is None:
        raise NotFound(f"Không có xã/phường {scope}")
    months = list(
        session.scalars(
            select(MeetingRow.month).where(MeetingRow.commune_id == scope).distinct().order_by(MeetingRow.month)
        )
    )
    out = []
    for month in months[::-1]:
        view = month_view(session, user, month)
        out += [CommuneMeeting(line, month, view.published) for line in view.meetings]
    return commune, out


@dataclass(frozen=True)
class MonthFilter:
    """What the planner narrows a month to; every field empty: the whole month."""

    commune: str = ""
    """A part of the commune's name (case and accents as typed, compared in NFC lower case)."""
    week: int | None = None
    """1–5: days 1–7, 8–14, 15–21, 22–28, 29–31 of the month."""
    flagged: bool = False
    empty: bool = False
    """Only meetings with empty seats."""

    def keeps(self, line: MeetingLine) -> bool:
        if self.commune and _folded(self.commune) not in _folded(line.commune_name):
            return False
        if self.week is not None and (line.start.day - 1) // 7 + 1 != self.week:
            return False
        if self.flagged and not line.flag:
            return False
        return not (self.empty and not line.empty_seats)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def filtered(view: MonthView, keep: MonthFilter) -> MonthView:
    return MonthView(view.month, view.schedule, view.published, [m for m in view.meetings if keep.keeps(m)])
