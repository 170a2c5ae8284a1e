"""Publishing a month changes the later months' history: the later versions whose score it
changes need a re-plan (services.later_months, called by services.schedules.publish).

World (tests.api.world): November 2025 published (d1 at c1's m1) with a draft on top of
it; December holds c1's m9. December is planned first with d3 at m9, scored on November
as published (no rotation, no agency repeat); then November is published again with d3
at m1, which makes December's d3 a rotation and an agency repeat.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.planning import Change, plan_from_pairs
from models.storage import schedules
from models.storage.tables import ScheduleRow, UserRow
from services import reports
from services import schedules as service
from services.later_months import HISTORY_TERMS, SCHEDULE_NOTICE, reason_for
from services.months import load_month, replan_notices
from services.reports import ReportEntry
from solver import score
from tests.api.world import World
from tests.services.conftest import account

DECEMBER = "2025-12"


def _december(session: Session, planner: UserRow) -> tuple[int, int]:
    """December published with d3 at m9 (scored on today's November), and a draft copied from it."""
    _, instance = load_month(session, DECEMBER)
    draft = schedules.create_draft(session, DECEMBER, plan_from_pairs(instance, [("m9", "d3")]), None, planner.id)
    session.commit()
    published = service.publish(session, planner, draft.id, schedules.etag(draft))
    assert (published.terms["rotation"], published.terms["agency_repeat"]) == (0, 0)
    copied = service.copy(session, planner, published.id)
    return published.id, copied.id


def _publish_november(session: Session, planner: UserRow, *changes: Change, on: int | None = None) -> ScheduleRow:
    """A new November version: a copy of the one in force (or draft ``on``) with ``changes``, published."""
    if on is None:
        in_force = schedules.current(session, "2025-11")
        assert in_force is not None
        on = service.copy(session, planner, in_force.id).id
    edited = service.edit(session, planner, on, list(changes))
    return service.publish(session, planner, on, schedules.etag(edited.schedule))


def _ours(session: Session, schedule_id: int) -> list[tuple[str, str]]:
    return [
        (n.meeting_id, n.reason)
        for n in schedules.notices(session, schedule_id)
        if n.reason.startswith(SCHEDULE_NOTICE)
    ]


def test_publishing_an_earlier_month_differently_marks_the_later_versions(session: Session, world: World) -> None:
    """November published again with December's d3 at c1: December's version in force and
    its draft, scored without that, each get one notice naming November and m9; their
    stored score is indeed no longer the one today's instance gives; November gets none."""
    planner = account(session, "planner")
    december, draft = _december(session, planner)
    november = _publish_november(session, planner, Change("m1", remove="d1", add="d3"), on=world.ids["draft"])
    expected = [("m9", reason_for("2025-11"))]
    assert _ours(session, december) == expected
    assert _ours(session, draft) == expected
    assert "tháng 11/2025 thay đổi sau khi lập bản lịch này" in expected[0][1]
    assert [n.reason for n in replan_notices(session, DECEMBER)] == [expected[0][1]]
    assert _ours(session, november.id) == []
    assert replan_notices(session, "2025-11") == []
    _, instance = load_month(session, DECEMBER)
    now = score(instance, schedules.pairs_of(session, december)).terms
    stored = session.get(ScheduleRow, december)
    assert stored is not None
    assert (now["rotation"], now["agency_repeat"]) == (1, 1)
    assert [now[t] for t in HISTORY_TERMS] != [stored.terms[t] for t in HISTORY_TERMS]


def test_publishing_again_does_not_double_the_notice_and_publishing_back_takes_it_back(
    session: Session, world: World
) -> None:
    """A further November version that still sends d3 to m1 adds no second notice; one that
    gives December its history back (d1 at m1 again) takes the notices back."""
    planner = account(session, "planner")
    december, draft = _december(session, planner)
    _publish_november(session, planner, Change("m1", remove="d1", add="d3"), on=world.ids["draft"])
    _publish_november(session, planner, Change("m3", remove="d5", add="d4"))
    assert len(_ours(session, december)) == 1
    assert len(_ours(session, draft)) == 1
    _publish_november(session, planner, Change("m1", remove="d3", add="d1"), Change("m3", remove="d4", add="d5"))
    assert _ours(session, december) == []
    assert _ours(session, draft) == []
    assert replan_notices(session, DECEMBER) == []


def test_publishing_the_same_attendances_marks_nothing(session: Session, world: World) -> None:
    """The world's November draft holds what is in force: publishing it changes no history."""
    planner = account(session, "planner")
    december, draft = _december(session, planner)
    nov = session.get(ScheduleRow, world.ids["draft"])
    assert nov is not None
    service.publish(session, planner, nov.id, schedules.etag(nov))
    assert replan_notices(session, DECEMBER) == []
    assert _ours(session, december) == _ours(session, draft) == []


def test_a_report_with_a_substitute_marks_the_later_versions(session: Session, world: World) -> None:
    """A report is history too: d1 did not come to m1 and d3 went instead, so December's
    d3 at c1 is now a rotation, and December's versions say so; a report of the meeting as
    planned marks nothing."""
    planner = account(session, "planner")
    december, draft = _december(session, planner)
    reports.submit_report(session, planner, "m3", ReportEntry(attended=True, delegate="d5"))
    session.commit()
    assert _ours(session, december) == _ours(session, draft) == []
    reports.submit_report(session, planner, "m1", ReportEntry(attended=False, delegate="d1", substitute="d3"))
    session.commit()
    expected = [("m9", reason_for("2025-11"))]
    assert _ours(session, december) == expected
    assert _ours(session, draft) == expected
