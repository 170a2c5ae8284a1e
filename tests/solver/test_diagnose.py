"""Why a seat stays empty, and why pins cannot hold: the reasons name the people and the facts.

A planner reads these reasons to act, so each test checks that the reason of a gap names
the delegate who could have filled it and what keeps them away (leave and its reason,
being in charge of the commune, another meeting at that hour, the monthly cap, a
forbidden pair), and that an impossible pin is refused with the delegate named.
"""

from __future__ import annotations

from typing import Any

from solver import Result
from tests.solver.builders import Doc, run

NOV10 = "2025-11-10T08:00"


def flagged(*, senior: dict[str, Any] | None = None, second: bool = False) -> Doc:
    """Xã Tả Phời (flag 1: one seat, tier <= 3) on 10/11 at 08:00; a leader "Phạm Văn Dũng" and staff."""
    doc = (
        Doc()
        .commune("c1", 1, name="Xã Tả Phời")
        .delegate("lead", 3, name="Phạm Văn Dũng", **(senior or {}))
        .delegate("s1", 4, name="Trần Thị Bình")
        .delegate("s2", 4, name="Hoàng Văn Em")
        .meeting("m1", "c1", NOV10)
    )
    if second:
        doc.commune("c2", 1, name="Phường Cốc Lếu")
    return doc


def only_gap(result: Result) -> str:
    assert result.status == "partial"
    assert len(result.gaps) == 1
    return result.gaps[0].reason


def test_gap_names_the_delegate_on_leave_and_why(backend: str) -> None:
    """The only leader is on leave: the gap's reason names them, the leave and its stated reason."""
    leave = [{"from": "2025-11-09", "to": "2025-11-11", "reason": "Học lớp bồi dưỡng"}]
    result = run(flagged(senior={"unavailable": leave}).build(), backend)
    reason = only_gap(result)
    assert result.gaps[0].senior_missing
    assert "Phạm Văn Dũng" in reason
    assert "nghỉ" in reason
    assert "Học lớp bồi dưỡng" in reason
    assert "Xã Tả Phời" in reason


def test_a_leave_across_two_years_is_named_with_its_years(backend: str) -> None:
    """A leave from 20/12/2024 to 30/11/2025 is written with both years, not "20/12–30/11"."""
    leave = [{"from": "2024-12-20", "to": "2025-11-30", "reason": "Đi học dài hạn"}]
    reason = only_gap(run(flagged(senior={"unavailable": leave}).build(), backend))
    assert "nghỉ 20/12/2024–30/11/2025" in reason


def test_gap_names_the_delegate_in_charge(backend: str) -> None:
    """The only leader is in charge of the commune: the reason names them and says so."""
    reason = only_gap(run(flagged(senior={"in_charge_of": ["c1"]}).build(), backend))
    assert "Phạm Văn Dũng" in reason
    assert "phụ trách" in reason


def test_gap_names_the_delegate_at_another_meeting(backend: str) -> None:
    """Two flagged meetings at the same hour and one leader: the other's reason names the leader and where they are."""
    doc = flagged(second=True).meeting("m2", "c2", NOV10)
    result = run(doc.build(), backend)
    reason = only_gap(result)
    where = dict(result.assignments)
    gap = result.gaps[0].meeting
    other = "m1" if gap == "m2" else "m2"
    assert where[other] == "lead"
    assert "Phạm Văn Dũng" in reason
    assert {"m1": "Xã Tả Phời", "m2": "Phường Cốc Lếu"}[other] in reason  # the meeting the leader is at


def test_gap_names_the_delegate_at_the_monthly_cap(backend: str) -> None:
    """The only leader has reached max_per_month: the reason names them and the cap."""
    doc = flagged(senior={"max_per_month": 1}, second=True).meeting("m2", "c2", "2025-11-20T08:00")
    reason = only_gap(run(doc.build(), backend))
    assert "Phạm Văn Dũng" in reason
    assert "tối đa 1" in reason


def test_gap_names_the_forbidden_delegate(backend: str) -> None:
    """A stable meeting whose only delegate is forbidden there: an empty seat, the delegate named."""
    doc = Doc().commune("c1", name="Phường Kim Tân").delegate("d1", name="Lò Văn Sơn").meeting("m1", "c1", NOV10)
    result = run(doc.forbid("m1", "d1").build(), backend)
    reason = only_gap(result)
    assert result.gaps[0].seats == 1
    assert not result.gaps[0].senior_missing
    assert "Lò Văn Sơn" in reason
    assert "Phường Kim Tân" in reason


def test_gap_when_nobody_is_senior_enough(backend: str) -> None:
    """With no leader at all, the reason says no one of the required tier exists, naming the meeting."""
    doc = Doc().commune("c1", 1, name="Xã Hợp Thành").delegate("d1", 4).meeting("m1", "c1", NOV10)
    result = run(doc.build(), backend)
    reason = only_gap(result)
    assert result.gaps[0].senior_missing
    assert "Xã Hợp Thành" in reason


def test_pin_on_leave_is_refused_with_the_delegate_named(backend: str) -> None:
    """A pin on a delegate on leave: infeasible, and the reason names the delegate and the leave."""
    leave = [{"from": "2025-11-10", "to": "2025-11-10", "reason": "Dự hội nghị Tỉnh ủy"}]
    doc = flagged(senior={"unavailable": leave}).pin("m1", "lead")
    result = run(doc.build(), backend)
    assert result.status == "infeasible"
    assert len(result.problems) == 1
    assert "Phạm Văn Dũng" in result.problems[0]
    assert "Dự hội nghị Tỉnh ủy" in result.problems[0]


def test_overlapping_pins_are_refused_with_both_meetings_named(backend: str) -> None:
    """Two pins of one delegate at the same hour: infeasible, naming the delegate and both meetings."""
    doc = flagged(second=True).meeting("m2", "c2", "2025-11-10T09:00").pin("m1", "lead").pin("m2", "lead")
    result = run(doc.build(), backend)
    assert result.status == "infeasible"
    text = " ".join(result.problems)
    assert "Phạm Văn Dũng" in text
    assert "Xã Tả Phời" in text
    assert "Phường Cốc Lếu" in text


def test_overlap_with_travel_is_refused(backend: str) -> None:
    """Pins 20 minutes' travel apart with only 19 minutes between them are refused (H4 counts travel)."""
    doc = (
        flagged(second=True)
        .road("hq", "c1", 10)
        .road("hq", "c2", 10)
        .meeting("m2", "c2", "2025-11-10T10:19")  # m1 ends 10:00; c1 -> c2 is 20 minutes
        .pin("m1", "lead")
        .pin("m2", "lead")
    )
    assert run(doc.build(), backend).status == "infeasible"
    doc.meetings[1]["start"] = "2025-11-10T10:20"
    result = run(doc.build(), backend)
    assert result.status == "optimal"
    assert sorted(result.assignments) == [("m1", "lead"), ("m2", "lead")]


def test_gap_when_everyone_listed_is_already_at_the_meeting(backend: str) -> None:
    """Three seats, two delegates, both seated: the reason says so, not "nobody in the list"."""
    doc = (
        Doc()
        .commune("c1", name="Xã Cốc San")
        .delegate("d1", 4, name="Trần Thị Bình")
        .delegate("d2", 4, name="Hoàng Văn Em")
        .meeting("m1", "c1", NOV10, required=3)
    )
    reason = only_gap(run(doc.build(), backend))
    assert "Thiếu 1 đại biểu" in reason
    assert "Cả 2 đại biểu trong danh sách đều đã được cử dự hội nghị này" in reason
    assert "Không có đại biểu" not in reason


def test_an_absurd_number_of_seats_is_counted_and_explained(backend: str) -> None:
    """A meeting asking for the most delegates validation allows (1,000) of two: 998 empty
    seats, with a reason."""
    doc = (
        Doc()
        .commune("c1", name="Xã Cốc San")
        .delegate("d1", 4, name="Trần Thị Bình")
        .delegate("d2", 4, name="Hoàng Văn Em")
        .meeting("m1", "c1", NOV10, required=1000)
    )
    result = run(doc.build(), backend, time_limit=20)
    assert only_gap(result).startswith("Thiếu 998 đại biểu")
