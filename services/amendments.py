"""What changed between a month's version in force and a new version (a re-plan's draft or
the version just published): the data of the amendment notice (thông báo điều chỉnh) and
of the notifications sent on publication.

A meeting is *added* (in the new version only: on a first publication every meeting
is), *cancelled* (in the version in force only, or its meeting cancelled), *moved* (its
start differs) or has other *delegates*. Times of a published version are those frozen
at its publication; a draft's are the meetings' current times. Each change carries the
reasons of the approved requests of the re-plan that made it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage.tables import AssignmentRow, CommuneRow, DelegateRow, MeetingRow, ScheduleRow
from services import requests
from services.errors import NotFound

LABELS = {
    "added": "bổ sung",
    "moved": "dời lịch",
    "cancelled": "hủy",
    "delegates": "đổi đại biểu",
}
REPLANNED = "Điều chỉnh khi lập lại lịch (ít thay đổi nhất)"
#: Why a meeting changed when no request says it: the Board changed the meeting itself.
BOARD = {
    "added": "Hội nghị đăng ký sau khi công bố",
    "cancelled": "Hội nghị đã hủy",
    "moved": "Thời gian hội nghị đã điều chỉnh",
}


@dataclass(frozen=True)
class MeetingChange:
    meeting: str
    commune: str
    commune_name: str
    change: str
    before_start: dt.datetime | None
    after_start: dt.datetime | None
    before_delegates: tuple[str, ...]
    after_delegates: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return LABELS[self.change]


@dataclass(frozen=True)
class Side:
    start: dt.datetime | None
    delegates: tuple[str, ...]


def _side(session: Session, schedule: ScheduleRow | None) -> dict[str, Side]:
    if schedule is None:
        return {}
    rows = session.execute(
        select(AssignmentRow.meeting_id, AssignmentRow.delegate_id, AssignmentRow.starts_at, MeetingRow)
        .join(MeetingRow, MeetingRow.id == AssignmentRow.meeting_id)
        .join(DelegateRow, DelegateRow.id == AssignmentRow.delegate_id)
        .where(AssignmentRow.schedule_id == schedule.id)
        .order_by(AssignmentRow.meeting_id, DelegateRow.tier, DelegateRow.id)
    )
    out: dict[str, Side] = {}
    for meeting_id, delegate_id, frozen, meeting in rows:
        cancelled = schedule.status == "draft" and meeting.cancelled_at is not None
        if cancelled:
            continue
        start = frozen if schedule.status == "published" and frozen is not None else meeting.starts_at
        known = out.get(meeting_id)
        out[meeting_id] = Side(start, (*known.delegates, delegate_id) if known else (delegate_id,))
    return out


def changes(session: Session, schedule: ScheduleRow) -> list[MeetingChange]:
    """Every meeting that differs between ``schedule`` and the version it was planned
    against (its ``base_id``; none: everything is added), in start order."""
    base = session.get(ScheduleRow, schedule.base_id) if schedule.base_id is not None else None
    before, after = _side(session, base), _side(session, schedule)
    ids = sorted(set(before) | set(after))
    meetings = {m.id: m for m in session.scalars(select(MeetingRow).where(MeetingRow.id.in_(ids)))}
    communes = {c.id: c.name for c in session.scalars(select(CommuneRow))}
    reasons = {} if base is None else requests.reasons_since(session, schedule.month, base, schedule)
    out = []
    for meeting_id in ids:
        old, new = before.get(meeting_id), after.get(meeting_id)
        meeting = meetings[meeting_id]
        if old is None:
            kind = "added"
        elif new is None:
            # Still registered but with no delegate in the new version: its seats were emptied.
            kind = "cancelled" if meeting.cancelled_at is not None or meeting.month != schedule.month else "delegates"
        elif old.start != new.start:
            kind = "moved"
        elif old.delegates != new.delegates:
            kind = "delegates"
        else:
            continue
        why = reasons.get(meeting_id) or ([] if base is None else [BOARD.get(kind, REPLANNED)])
        out.append(
            MeetingChange(
                meeting=meeting_id,
                commune=meeting.commune_id,
                commune_name=communes.get(meeting.commune_id, meeting.commune_id),
                change=kind,
                before_start=old.start if old else None,
                after_start=new.start if new else None,
                before_delegates=old.delegates if old else (),
                after_delegates=new.delegates if new else (),
                reasons=tuple(why),
            )
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(out, key=lambda c: (c.after_start or c.before_start or far, c.meeting))


def version(session: Session, month: str, number: int) -> ScheduleRow:
    """Version ``number`` of ``month``; :class:`NotFound` otherwise."""
    row = session.scalar(select(ScheduleRow).where(ScheduleRow.month == month, ScheduleRow.version == number))
    if row is None:
        raise NotFound(f"Tháng {month} không có bản lịch số {number}")
    return row
