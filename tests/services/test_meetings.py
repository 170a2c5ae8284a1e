"""Meetings' rules, called as the pages and the API call them (services.meetings)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.schemas.meetings import MeetingIn, MeetingPatch
from models.storage.tables import MeetingRow, ReplanNoticeRow, ScheduleRow
from services import meetings
from services.errors import Conflict, Forbidden, NotFound
from tests.services.conftest import account


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(MeetingRow)) or 0


def test_a_commune_cannot_register_for_another_commune(session: Session) -> None:
    """A commune account naming another commune is refused and nothing is written."""
    before = _count(session)
    body = MeetingIn.model_validate({"commune": "c2", "start": "2026-01-06T08:00"})
    with pytest.raises(Forbidden, match="xã mình"):
        meetings.register(session, account(session, "commune", "c1"), body)
    session.rollback()
    assert _count(session) == before


def test_a_commune_registers_one_meeting_a_month(session: Session) -> None:
    """A commune's first meeting of a month is registered under its own id; a second one is refused."""
    commune = account(session, "commune", "c1")
    first = meetings.register(session, commune, MeetingIn.model_validate({"start": "2026-01-06T08:00"}))
    assert (first.id, first.commune_id, first.month) == ("202601-c1", "c1", "2026-01")
    with pytest.raises(Conflict, match="mỗi tháng một hội nghị"):
        meetings.register(session, commune, MeetingIn.model_validate({"start": "2026-01-20T08:00"}))


def test_a_commune_cannot_move_a_meeting_into_a_month_it_already_has(session: Session) -> None:
    """Moving a commune's December meeting into November, where it has one, is refused."""
    with pytest.raises(Conflict, match="mỗi tháng một hội nghị"):
        meetings.move(
            session, account(session, "commune", "c1"), "m9", MeetingPatch.model_validate({"start": "2025-11-20T08:00"})
        )


def test_another_communes_meeting_is_not_found(session: Session) -> None:
    """A commune account asking for another commune's meeting is told it does not exist."""
    with pytest.raises(NotFound):
        meetings.visible_meeting(session, account(session, "commune", "c1"), "m2")


def test_moving_a_published_meeting_leaves_a_replan_notice(session: Session) -> None:
    """A planner's move of a meeting in the published month marks that month for a re-plan:
    one notice on each version of the month, the published one and every draft."""
    moved = meetings.move(session, account(session, "planner"), "m1", MeetingPatch.model_validate({"minutes": 120}))
    assert moved.minutes == 120
    notices = session.execute(
        select(ReplanNoticeRow.schedule_id, ReplanNoticeRow.reason).where(ReplanNoticeRow.meeting_id == "m1")
    ).all()
    versions = set(session.scalars(select(ScheduleRow.id).where(ScheduleRow.month == "2025-11")))
    assert sorted(schedule for schedule, _ in notices) == sorted(versions)
    assert all("120 phút" in reason for _, reason in notices)


def test_a_meeting_in_a_published_schedule_is_not_deleted(session: Session) -> None:
    """Deleting m1, which the published November schedule holds, is refused and the meeting stays."""
    with pytest.raises(Conflict, match="đã công bố"):
        meetings.delete(session, account(session, "planner"), "m1")
    session.rollback()
    assert session.get(MeetingRow, "m1") is not None


def test_only_planners_delete_meetings(session: Session) -> None:
    """A commune account cannot delete even its own meeting."""
    with pytest.raises(Forbidden):
        meetings.delete(session, account(session, "commune", "c1"), "m9")


def test_a_planner_deletes_a_meeting_no_published_schedule_holds(session: Session) -> None:
    """A December meeting, in no schedule, is deleted."""
    meetings.delete(session, account(session, "planner"), "m9")
    assert session.get(MeetingRow, "m9") is None
