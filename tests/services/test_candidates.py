"""One seat of a draft: ranked candidates, the blocking rule and fact, apply, undo, pins
(services.candidates, services.schedules.undo)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage import schedules
from models.storage.tables import DelegateRow, LeaveRow, MeetingRow, ScheduleRow
from services import candidates, workspace
from services.candidates import CandidateOut, CandidatesOut
from services.errors import Conflict, Forbidden, Invalid, PreconditionFailed
from services.months import load_month
from solver import score
from tests.api.world import MONTH, OPTIMUM, World
from tests.services.conftest import account


def _by_id(ranked: CandidatesOut) -> dict[str, CandidateOut]:
    return {c.delegate: c for c in ranked.candidates}


def _facts(candidate: CandidateOut) -> set[tuple[str, str]]:
    return {(b.rule, b.fact) for b in candidate.blockers}


def test_candidates_are_ranked_allowed_first_by_score_change(session: Session, world: World) -> None:
    """Every delegate not at the meeting is listed; allowed ones first, cheapest first."""
    ranked = candidates.rank(session, account(session, "planner"), MONTH, "m1", schedule_id=world.ids["draft"])
    assert ranked.seat.replacing is not None
    assert ranked.seat.replacing.delegate == "d1"
    assert {c.delegate for c in ranked.candidates} == {"d2", "d3", "d4", "d5", "d8"}
    allowed = [c for c in ranked.candidates if c.allowed]
    assert [c.total_delta for c in allowed] == sorted(c.total_delta for c in allowed)
    flags = [c.allowed for c in ranked.candidates]
    assert flags == sorted(flags, reverse=True)


def test_delta_equals_the_scorer_difference(session: Session, world: World) -> None:
    """A candidate's change is the scorer's total with them in the seat minus the draft's."""
    ranked = candidates.rank(session, account(session, "planner"), MONTH, "m1", schedule_id=world.ids["draft"])
    _, instance = load_month(session, MONTH)
    before = score(instance, OPTIMUM).total
    for candidate in ranked.candidates:
        trial = [p for p in OPTIMUM if p != ("m1", "d1")] + [("m1", candidate.delegate)]
        assert candidate.total_delta == score(instance, trial).total - before
        assert sum(t.points for t in candidate.terms) == candidate.total_delta


def test_leave_and_cross_assignment_are_shown_with_their_facts(session: Session, world: World) -> None:
    """At Tả Phời on 06/11 the Secretary is on leave that day and in charge of the commune."""
    ranked = candidates.rank(session, account(session, "planner"), MONTH, "m3", replace="d5")
    d1 = _by_id(ranked)["d1"]
    assert not d1.allowed
    assert _facts(d1) == {("H3", "nghỉ 06/11–06/11 (Dự hội nghị Tỉnh ủy)"), ("H7", "phụ trách Xã Tả Phời")}
    assert {b.rule_label for b in d1.blockers} == {"Nghỉ, vắng", "Đổi chéo (không dự xã mình phụ trách)"}


def test_another_meeting_that_day_is_named(session: Session, world: World) -> None:
    """A meeting at the same time as the Secretary's Cốc Lếu meeting names that meeting."""
    session.add(
        MeetingRow(
            id="m5",
            commune_id="c4",
            starts_at=dt.datetime(2025, 11, 4, 2, 0, tzinfo=dt.UTC),  # 09:00 local
            month=MONTH,
            minutes=60,
            senior_tier_set=False,
        )
    )
    session.commit()
    ranked = candidates.rank(session, account(session, "planner"), MONTH, "m5")
    assert ranked.seat.replacing is None
    d1 = _by_id(ranked)["d1"]
    assert _facts(d1) == {("H4", "đang dự hội nghị khác cùng ngày: Phường Cốc Lếu lúc 08:00–11:00")}


def test_a_junior_in_the_only_senior_seat_is_warned(session: Session, world: World) -> None:
    """At Hợp Thành (flag 1, a leader asked) a staff member may sit but leaves seniority unmet."""
    ranked = candidates.rank(session, account(session, "planner"), MONTH, "m2")
    d4 = _by_id(ranked)["d4"]
    assert d4.allowed
    assert [(w.rule, w.fact) for w in d4.warnings] == [("H2", "Chuyên viên, hội nghị cần Lãnh đạo cơ quan trở lên")]
    assert any(t.term == "unfilled" and t.count == 1 for t in d4.terms)
    assert _by_id(ranked)["d3"].warnings == []


def test_capacity_is_shown_with_the_monthly_maximum(session: Session, world: World) -> None:
    """A delegate at their monthly maximum is refused with that maximum."""
    d3 = session.get(DelegateRow, "d3")
    assert d3 is not None
    d3.max_per_month = 1
    session.commit()
    ranked = candidates.rank(session, account(session, "planner"), MONTH, "m1")
    assert _facts(_by_id(ranked)["d3"]) == {("H5", "đã đủ số buổi tối đa trong tháng (1 buổi)")}


def test_a_ban_and_a_pin_block_with_their_facts(session: Session, world: World) -> None:
    """A forbidden pair is refused as such; with the seat's holder pinned, nobody may take it."""
    planner = account(session, "planner")
    candidates.forbid(session, planner, "m1", "d4")
    ranked = candidates.rank(session, planner, MONTH, "m1")
    assert _facts(_by_id(ranked)["d4"]) == {("H6", "bị cấm dự hội nghị này")}
    candidates.pin(session, planner, "m1", "d1")
    ranked = candidates.rank(session, planner, MONTH, "m1")
    pinned = ("H6", "Nguyễn Văn Kiên được ghim vào hội nghị này, không thay được")
    assert all(pinned in _facts(c) for c in ranked.candidates)


def test_a_full_meeting_of_two_needs_the_seat(session: Session, world: World) -> None:
    """Tả Phời has two delegates: which seat to change must be said."""
    with pytest.raises(Invalid) as refused:
        candidates.rank(session, account(session, "planner"), MONTH, "m3")
    assert refused.value.issues[0].path == "replace"


def test_apply_returns_the_delta_shown_and_undo_takes_it_back(session: Session, world: World) -> None:
    """The change saved moves the score by the candidate's delta; undo restores the draft."""
    planner = account(session, "planner")
    draft_id = world.ids["draft"]
    shown = _by_id(candidates.rank(session, planner, MONTH, "m1", schedule_id=draft_id))["d4"]
    etag = world.ids["draft_etag"]
    applied = candidates.apply(session, planner, draft_id, "m1", "d4", replace="d1", if_match=etag)
    assert applied.total_delta == shown.total_delta
    assert ("m1", "d4") in schedules.pairs_of(session, draft_id)
    with pytest.raises(PreconditionFailed):
        candidates.undo(session, planner, draft_id, if_match=etag)
    session.rollback()
    undone = candidates.undo(session, planner, draft_id, if_match=applied.etag)
    assert undone.total_delta == -applied.total_delta
    assert sorted(schedules.pairs_of(session, draft_id)) == sorted(OPTIMUM)
    with pytest.raises(Conflict, match="không còn lần sửa"):
        candidates.undo(session, planner, draft_id)


def test_undo_goes_back_one_edit_at_a_time(session: Session, world: World) -> None:
    """Two edits are taken back newest first."""
    planner = account(session, "planner")
    draft_id = world.ids["draft"]
    candidates.apply(session, planner, draft_id, "m1", "d4", replace="d1")
    after_first = sorted(schedules.pairs_of(session, draft_id))
    candidates.apply(session, planner, draft_id, "m4", "d8", replace="d3")
    candidates.undo(session, planner, draft_id)
    assert sorted(schedules.pairs_of(session, draft_id)) == after_first
    candidates.undo(session, planner, draft_id)
    assert sorted(schedules.pairs_of(session, draft_id)) == sorted(OPTIMUM)


def test_a_published_version_is_not_changed(session: Session, world: World) -> None:
    """Apply on the published version is refused: a change is a new draft."""
    with pytest.raises(Conflict):
        candidates.apply(session, account(session, "planner"), world.ids["published"], "m1", "d4", replace="d1")


def test_a_pin_the_delegate_cannot_hold_is_refused_with_the_fact(session: Session, world: World) -> None:
    """The Secretary cannot be pinned to Tả Phời on the day of their leave."""
    with pytest.raises(Conflict) as refused:
        candidates.pin(session, account(session, "planner"), "m3", "d1")
    assert "nghỉ 06/11–06/11" in refused.value.detail
    assert "phụ trách Xã Tả Phời" in refused.value.detail


def test_pin_forbid_release(session: Session, world: World) -> None:
    """A pair is pinned, then forbidden (the pin lifted), then released."""
    planner = account(session, "planner")
    assert candidates.pin(session, planner, "m1", "d1").kind == "pinned"
    assert [(p.delegate, p.kind) for p in candidates.pins_of(session, planner, "m1")] == [("d1", "pinned")]
    candidates.forbid(session, planner, "m1", "d1")
    assert [(p.delegate, p.kind) for p in candidates.pins_of(session, planner, "m1")] == [("d1", "forbidden")]
    candidates.release(session, planner, "m1", "d1")
    assert candidates.pins_of(session, planner, "m1") == []


def test_a_ban_the_published_schedule_breaks_asks_for_a_replan(session: Session, world: World) -> None:
    """Forbidding the Secretary at Cốc Lếu, where the published version sends them, leaves a re-plan notice."""
    planner = account(session, "planner")
    assert not workspace.month_view(session, planner, MONTH).needs_replan
    candidates.forbid(session, planner, "m1", "d1")
    notices = schedules.notices(session, world.ids["published"])
    assert [(n.meeting_id, n.reason) for n in notices] == [
        ("m1", "Đại biểu Nguyễn Văn Kiên bị cấm dự hội nghị này nhưng có trong lịch đã công bố")
    ]
    assert workspace.month_view(session, planner, MONTH).needs_replan


@pytest.mark.parametrize("role", ["delegate", "commune"])
def test_only_planners(session: Session, world: World, role: str) -> None:
    """Delegates and communes may neither see candidates nor change a draft or a pin."""
    user = account(session, role)
    with pytest.raises(Forbidden):
        candidates.rank(session, user, MONTH, "m1")
    with pytest.raises(Forbidden):
        candidates.apply(session, user, world.ids["draft"], "m1", "d4", replace="d1")
    with pytest.raises(Forbidden):
        candidates.undo(session, user, world.ids["draft"])
    with pytest.raises(Forbidden):
        candidates.pin(session, user, "m1", "d1")
    assert session.get(ScheduleRow, world.ids["draft"]).revision == 1  # type: ignore[union-attr]


def test_a_leave_across_two_years_is_printed_with_its_years(session: Session, world: World) -> None:
    """A leave from 20/12/2024 to 06/11/2025 says both years, not "20/12–06/11"."""
    leave = session.scalars(select(LeaveRow).where(LeaveRow.delegate_id == "d1")).first()
    assert leave is not None
    leave.starts_on = dt.date(2024, 12, 20)
    session.flush()
    ranked = candidates.rank(session, account(session, "planner"), MONTH, "m3", replace="d5")
    facts = dict(_facts(_by_id(ranked)["d1"]))
    assert facts["H3"] == "nghỉ 20/12/2024–06/11/2025 (Dự hội nghị Tỉnh ủy)"
