"""The planner's month, versions and their differences, workload and robustness
(services.workspace, services.versions, services.workload, services.robustness)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.planning import Change
from models.storage import schedules
from models.storage.tables import MeetingRow
from services import candidates, robustness, versions, workload, workspace
from services import schedules as schedule_service
from services.errors import Forbidden, Invalid, NotFound, TooLarge
from services.months import load_month
from services.workspace import Filters
from solver import score
from tests.api.world import MONTH, OPTIMUM, World
from tests.services.conftest import account


def test_the_month_shows_each_meeting_with_its_flag_seats_and_people(session: Session, world: World) -> None:
    """Tả Phời (flag 2) asks two seats and a committee member; its delegates come with position and agency."""
    view = workspace.month_view(session, account(session, "planner"), MONTH)
    assert view.schedule is not None
    assert view.schedule.id == world.ids["draft"]
    assert [m.id for m in view.meetings] == ["m1", "m2", "m3", "m4"]
    m3 = next(m for m in view.meetings if m.id == "m3")
    assert (m3.date_label, m3.weekday, m3.time_label, m3.week) == ("06/11/2025", "Thứ Năm", "08:00–11:00", "2025-W45")
    assert m3.start.utcoffset() == dt.timedelta(hours=7)
    assert (m3.flag, m3.flag_label, m3.flag_reason) == (2, "Phức tạp", "Vụ việc phức tạp về đất đai, đông người")
    assert (m3.seats, m3.senior_tier, m3.senior_label) == (2, 2, "Cần Ủy viên Ban Thường vụ trở lên")
    assert [(a.delegate, a.agency, a.tier) for a in m3.attendees] == [("d2", "Ban Tuyên giáo", 2), ("d5", "MTTQ", 4)]
    assert m3.attendees[0].title == "Ủy viên Ban Thường vụ, Trưởng Ban Tuyên giáo"
    assert (view.totals.meetings, view.totals.seats, view.totals.filled, view.totals.empty) == (4, 5, 5, 0)


def test_an_empty_seat_says_why(session: Session, world: World) -> None:
    """A seat emptied by an edit shows the reason the scorer's explanation gave."""
    planner = account(session, "planner")
    schedule_service.edit(session, planner, world.ids["draft"], [Change("m4", remove="d3")])
    m4 = next(m for m in workspace.month_view(session, planner, MONTH).meetings if m.id == "m4")
    assert m4.empty == 1
    assert m4.attendees == []
    assert m4.gap_reason
    assert m4.gap_reason != workspace.NOT_IN_VERSION


def test_a_month_without_a_schedule_says_so(session: Session, world: World) -> None:
    """December has a meeting and no version: its seat is empty because nothing was planned."""
    view = workspace.month_view(session, account(session, "planner"), "2025-12")
    assert view.schedule is None
    assert [(m.id, m.empty, m.gap_reason) for m in view.meetings] == [("m9", 1, workspace.NO_SCHEDULE)]


@pytest.mark.parametrize(
    ("filters", "shown"),
    [
        (Filters(commune="c1"), ["m1"]),
        (Filters(agency="MTTQ"), ["m3"]),
        (Filters(tier=3), ["m4"]),
        (Filters(week="2025-W45"), ["m1", "m2", "m3", "m4"]),
        (Filters(week="2025-W46"), []),
        (Filters(tier=1, commune="c2"), ["m2"]),
    ],
)
def test_filters(session: Session, world: World, filters: Filters, shown: list[str]) -> None:
    """Each filter keeps the meetings it names (agency and tier: of a delegate sent there)."""
    view = workspace.month_view(session, account(session, "planner"), MONTH, filters=filters)
    assert [m.id for m in view.meetings] == shown
    assert view.totals.meetings == len(shown)


def test_a_bad_filter_names_its_field(session: Session, world: World) -> None:
    """An unknown agency and a malformed week are refused, each named."""
    with pytest.raises(Invalid) as refused:
        workspace.month_view(
            session, account(session, "planner"), MONTH, filters=Filters(agency="Không có", week="2025-45")
        )
    assert [(i.path, i.value) for i in refused.value.issues] == [("agency", "Không có"), ("week", "2025-45")]


def test_the_month_view_reads_a_fixed_number_of_queries(session: Session, world: World) -> None:
    """More meetings do not mean more queries (no query per meeting)."""
    planner = account(session, "planner")

    def count() -> int:
        statements: list[str] = []

        def seen(*args: object) -> None:
            statements.append(str(args[2]))

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", seen)
        session.commit()  # each count starts in a fresh transaction
        try:
            workspace.month_view(session, planner, MONTH)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        return len(statements)

    few = count()
    for day in range(10, 20):
        session.add(
            MeetingRow(
                id=f"x{day}",
                commune_id="c4",
                starts_at=dt.datetime(2025, 11, day, 1, 0, tzinfo=dt.UTC),
                month=MONTH,
                minutes=60,
                senior_tier_set=False,
            )
        )
    session.commit()
    assert count() == few


def test_a_version_of_another_month_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        workspace.month_view(session, account(session, "planner"), "2025-12", schedule_id=world.ids["draft"])


# -- versions ---------------------------------------------------------------------------


def test_history_lists_the_versions_oldest_first(session: Session, world: World) -> None:
    """November has its published version (in force) and the draft planned against it."""
    out = versions.history(session, account(session, "planner"), MONTH)
    assert [(v.id, v.status, v.in_force, v.assignments) for v in out.versions] == [
        (world.ids["published"], "published", True, 5),
        (world.ids["draft"], "draft", False, 5),
    ]
    assert out.versions[0].published_by == "Cán bộ Ban Tuyên giáo"
    assert out.versions[1].based_on == world.ids["published"]


def test_diff_lists_changed_moved_added_removed(session: Session, world: World) -> None:
    """A delegate swapped at m1, m4 emptied and m2 moved, seen between the published version and the draft."""
    planner = account(session, "planner")
    draft = world.ids["draft"]
    schedule_service.edit(session, planner, draft, [Change("m1", remove="d1", add="d4"), Change("m4", remove="d3")])
    m2 = session.get(MeetingRow, "m2")
    assert m2 is not None
    m2.starts_at = m2.starts_at + dt.timedelta(hours=1)
    session.commit()
    out = versions.diff(session, planner, MONTH, world.ids["published"], draft)
    assert [(c.meeting, [p.delegate for p in c.left], [p.delegate for p in c.joined]) for c in out.changed] == [
        ("m1", ["d1"], ["d4"])
    ]
    assert [c.meeting for c in out.moved] == ["m2"]
    assert out.moved[0].start_after is not None
    assert out.moved[0].start_after.hour == 15
    assert [c.meeting for c in out.removed] == ["m4"]
    assert out.added == []
    assert out.unchanged == 1  # m3
    back = versions.diff(session, planner, MONTH, draft, world.ids["published"])
    assert [c.meeting for c in back.added] == ["m4"]


def test_diff_refuses_a_version_of_another_month(session: Session, world: World) -> None:
    with pytest.raises(Invalid) as refused:
        versions.diff(session, account(session, "planner"), "2025-12", world.ids["published"], world.ids["draft"])
    assert refused.value.issues[0].path == "from"


# -- workload -----------------------------------------------------------------------------


def test_workload_sums_to_the_schedule_and_the_balance_term(session: Session, world: World) -> None:
    """Month loads sum to the version's assignments; the spreads sum to the scorer's balance count."""
    out = workload.workload(session, account(session, "planner"), MONTH)
    assert sum(g.month_total for g in out.groups) == out.assignments == len(OPTIMUM)
    _, instance = load_month(session, MONTH)
    assert out.balance == score(instance, OPTIMUM).terms["balance"]
    loads = {d.delegate: d for g in out.groups for d in g.delegates}
    assert (loads["d1"].month, loads["d3"].earlier, loads["d3"].twelve_months) == (2, 2, 3)
    assert [g.label for g in out.groups] == ["Thường trực và Ủy viên Ban Thường vụ", "Lãnh đạo cơ quan", "Chuyên viên"]
    staff = next(g for g in out.groups if g.tiers == [4])
    assert staff.spread == (staff.highest or 0) - (staff.lowest or 0)


def test_workload_of_the_lone_member(session: Session, world: World) -> None:
    """The only leader of tier 3 is shown but not counted in a spread."""
    out = workload.workload(session, account(session, "planner"), MONTH)
    leaders = next(g for g in out.groups if g.tiers == [3])
    assert [(d.delegate, d.counted, d.why_not) for d in leaders.delegates] == [("d3", False, "người duy nhất của nhóm")]


# -- robustness -------------------------------------------------------------------------


def test_robustness_seats_from_the_database(session: Session, world: World) -> None:
    """Every seat of the version in force is listed with who could take it, hardest first."""
    out = robustness.robustness(session, account(session, "planner"), MONTH)
    assert out.schedule == world.ids["published"]
    assert sorted((s.meeting, s.delegate) for s in out.seats) == sorted(OPTIMUM)
    assert [s.free for s in out.seats] == sorted(s.free for s in out.seats)
    assert all(s.words for s in out.seats)
    assert out.absences is None


def test_robustness_absences_from_the_database(session: Session, world: World) -> None:
    """Each assigned delegate's absence is re-solved on the stored month: the Secretary's costs changes."""
    out = robustness.robustness(session, account(session, "planner"), MONTH, absences=True, time_limit=2)
    assert out.absences is not None
    assert {a.delegate for a in out.absences} == {d for _, d in OPTIMUM}
    d1 = next(a for a in out.absences if a.delegate == "d1")
    assert d1.assignments == 2
    assert d1.month_changes >= 2  # both of their meetings must go to someone else


def test_robustness_refuses_too_many_resolves(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the cap of re-solves per request the answer says to use fewer or the command line."""
    monkeypatch.setattr(robustness, "MAX_ABSENCES", 2)
    with pytest.raises(TooLarge, match="phancong scenario robustness"):
        robustness.robustness(session, account(session, "planner"), MONTH, absences=True)


def test_robustness_needs_a_published_month(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        robustness.robustness(session, account(session, "planner"), "2025-12")


@pytest.mark.parametrize("role", ["delegate", "commune"])
def test_only_planners_see_the_month(session: Session, world: World, role: str) -> None:
    """Delegates and communes may not open the workspace, versions, workload or robustness."""
    user = account(session, role)
    for call in (
        lambda: workspace.month_view(session, user, MONTH),
        lambda: versions.history(session, user, MONTH),
        lambda: versions.diff(session, user, MONTH, world.ids["published"], world.ids["draft"]),
        lambda: workload.workload(session, user, MONTH),
        lambda: robustness.robustness(session, user, MONTH),
        lambda: candidates.pins_of(session, user, "m1"),
    ):
        with pytest.raises(Forbidden):
            call()
    assert schedules.pairs_of(session, world.ids["draft"])


def test_robustness_rows_say_something_of_their_own(session: Session, world: World) -> None:
    """The remark of a row adds to its counts: names who could step in, or why nobody can."""
    out = robustness.robustness(session, account(session, "planner"), MONTH)
    for seat in out.seats:
        assert "Có thể thay" not in seat.words
        assert f"{seat.eligible} người" not in seat.words or seat.eligible == 0
        if seat.free:
            assert "Thay ngay:" in seat.words
        elif seat.eligible == 0:
            assert seat.words.startswith("Không ai khác được phép dự") or "lãnh đạo duy nhất" in seat.words
    assert len({s.words for s in out.seats}) > 1
