"""Meetings after a schedule was made: a registration, a move or a removal in a month
marks its published version, and each of its drafts, as needing a re-plan (a notice
planners see): none of them holds the change, and a draft made before it would otherwise
be published as if nothing had changed (as a flag change does, :mod:`services.flags`).

The versions themselves are never touched; the notice sits beside them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage.clock import local
from models.storage.tables import MeetingRow, PublishedMonthRow, ReplanNoticeRow, ScheduleRow

Snapshot = tuple[str, str, object, int]


def snapshot(row: MeetingRow) -> Snapshot:
    """What of a meeting matters to a published schedule: where, which month, when, how long."""
    return (row.commune_id, row.month, row.starts_at, row.minutes)


def flag_replan(
    session: Session, row: MeetingRow, before: Snapshot | None, user_id: int | None, how: str = ""
) -> set[str]:
    """Add a re-plan notice to the versions (published and drafts) of each month the change
    touches; returns the months whose published version it marks."""
    after = snapshot(row)
    if before == after:
        return set()
    suffix = f" ({how})" if how else ""
    if before is None:
        reasons = {row.month: f"Đăng ký thêm hội nghị {row.id} lúc {_when(row)}{suffix}"}
    else:
        reasons = {row.month: f"Hội nghị {row.id} đổi sang {_when(row)}, {row.minutes} phút{suffix}"}
        if before[1] != row.month:
            reasons[before[1]] = f"Hội nghị {row.id} chuyển sang tháng {row.month}{suffix}"
    return _notify(session, reasons, row.id, user_id)


def flag_removed(session: Session, row: MeetingRow, user_id: int | None) -> set[str]:
    return _notify(session, {row.month: f"Hội nghị {row.id} đã bị hủy"}, row.id, user_id)


def _notify(session: Session, reasons: dict[str, str], meeting_id: str, user_id: int | None) -> set[str]:
    published = dict(
        session.execute(
            select(PublishedMonthRow.month, PublishedMonthRow.schedule_id).where(
                PublishedMonthRow.month.in_(list(reasons))
            )
        ).all()
    )
    drafts = session.execute(
        select(ScheduleRow.month, ScheduleRow.id).where(
            ScheduleRow.month.in_(list(reasons)), ScheduleRow.status == "draft"
        )
    ).all()
    for month, schedule_id in [*published.items(), *drafts]:
        session.add(
            ReplanNoticeRow(schedule_id=schedule_id, meeting_id=meeting_id, reason=reasons[month], user_id=user_id)
        )
    return set(published)


def _when(row: MeetingRow) -> str:
    return local(row.starts_at).strftime("%H:%M ngày %d/%m/%Y")
