"""The independent scorer against RULES.md, on hand-made schedules worked out by hand.

Every expected number below comes from the sentence of RULES.md that defines it, not from
running the code. Unless a test says otherwise: communes are stable (flag 0), delegates
are staff (tier 4) of agencies of their own, there are no roads (travel 0) and meetings
last two hours.
"""

from __future__ import annotations

from typing import Any

import pytest

from models.instance import Instance
from solver import ScoreReport, score
from tests.solver.builders import Doc

NOV10 = "2025-11-10T08:00"


def broken(report: ScoreReport) -> set[str]:
    return {v.rule for v in report.violations}


def one_meeting(flag: int = 0, **meeting: Any) -> Doc:
    """Commune c1 (with ``flag``) holding meeting m1 on 10/11/2025 at 08:00."""
    return Doc().commune("c1", flag).meeting("m1", "c1", NOV10, **meeting)


# -- H1 coverage and H2 seniority: unfilled --------------------------------------------


def test_empty_seats_cost_unfilled_each() -> None:
    """Each empty seat is one unit of ``unfilled`` at weight 1000, and is a gap, not a violation."""
    inst = one_meeting(required=3).delegate("d1").delegate("d2").delegate("d3").build()
    report = score(inst, [("m1", "d1")])
    assert report.terms["unfilled"] == 2
    assert report.total == 2 * 1000 + 5  # and balance: d1 at 1, d2 and d3 at 0
    assert report.violations == []
    assert [(g.meeting, g.seats, g.senior_missing) for g in report.gaps] == [("m1", 2, False)]


def test_more_delegates_than_required_breaks_h1() -> None:
    """A meeting with more delegates than ``required`` breaks H1."""
    inst = one_meeting().delegate("d1").delegate("d2").build()
    assert broken(score(inst, [("m1", "d1"), ("m1", "d2")])) == {"H1"}


def test_the_same_delegate_twice_breaks_h1() -> None:
    """H1 wants distinct delegates: one delegate listed twice at a meeting is a violation."""
    inst = one_meeting(required=2).delegate("d1").delegate("d2").build()
    assert "H1" in broken(score(inst, [("m1", "d1"), ("m1", "d1")]))


def test_unknown_ids_break_h1() -> None:
    """A pair naming a meeting or a delegate the instance does not have is a violation."""
    inst = one_meeting().delegate("d1").build()
    assert "H1" in broken(score(inst, [("m9", "d1")]))
    assert "H1" in broken(score(inst, [("m1", "ghost")]))


@pytest.mark.parametrize(
    ("flag", "meeting", "tiers", "unfilled", "gap"),
    [
        # flag 1: one seat, senior tier 3 by default
        (1, {}, [4], 1, (0, True)),
        (1, {}, [3], 0, None),
        (1, {}, [], 2, (1, True)),
        # flag 2: two seats, senior tier 2 by default
        (2, {}, [3, 4], 1, (0, True)),
        (2, {}, [2, 4], 0, None),
        (2, {}, [4], 2, (1, True)),
        (2, {}, [], 3, (2, True)),
        # flag 0: one seat, no seniority by default
        (0, {}, [4], 0, None),
        (0, {}, [], 1, (1, False)),
        # explicit values win over the flag's defaults; an explicit null means none needed
        (2, {"senior_tier": None}, [4], 1, (1, False)),
        (2, {"senior_tier": None}, [4, 4], 0, None),
        (2, {"required": 1}, [2], 0, None),
        (1, {"senior_tier": 1}, [2], 1, (0, True)),
        (0, {"senior_tier": 2}, [3], 1, (0, True)),
        (0, {"senior_tier": 2}, [1], 0, None),
        (1, {"required": 3}, [4, 4, 3], 0, None),
    ],
)
def test_seats_and_seniority_defaults_by_flag(
    flag: int, meeting: dict[str, Any], tiers: list[int], unfilled: int, gap: tuple[int, bool] | None
) -> None:
    """Empty seats and an unmet seniority requirement are counted once each, with the flag's defaults."""
    doc = one_meeting(flag, **meeting)
    for k, tier in enumerate(tiers):
        doc.delegate(f"d{k}", tier)
    doc.delegate("idle")
    report = score(doc.build(), [("m1", f"d{k}") for k in range(len(tiers))])
    assert report.terms["unfilled"] == unfilled
    assert report.violations == []
    assert [(g.seats, g.senior_missing) for g in report.gaps] == ([gap] if gap else [])


def test_unfilled_weight_is_data() -> None:
    """``rules.weights.unfilled`` prices each empty seat and unmet seniority."""
    inst = one_meeting(2).delegate("d1").weights(unfilled=7).build()
    report = score(inst, [("m1", "d1")])
    assert report.terms["unfilled"] == 2  # one empty seat, no tier <= 2
    assert report.total == 14


# -- H3 availability -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("leave", "breaks"),
    [
        (("2025-11-10", "2025-11-10"), True),
        (("2025-11-08", "2025-11-10"), True),  # `to` is inclusive
        (("2025-11-10", "2025-11-14"), True),  # `from` is inclusive
        (("2025-11-11", "2025-11-14"), False),
        (("2025-11-01", "2025-11-09"), False),
    ],
)
def test_leave_ranges_are_inclusive(leave: tuple[str, str], breaks: bool) -> None:
    """H3: a meeting on a date inside a leave range (both ends included) is a violation."""
    inst = one_meeting().delegate("d1", leave=[leave]).build()
    assert ("H3" in broken(score(inst, [("m1", "d1")]))) is breaks


# -- H4 no overlap ---------------------------------------------------------------------


def two_communes_20_minutes_apart(second_start: str, *, second_commune: str = "c2") -> Instance:
    """m1 at c1 08:00–10:00; m2 at ``second_commune``; c1 and c2 are 20 minutes apart via hq."""
    return (
        Doc()
        .commune("c1")
        .commune("c2")
        .road("hq", "c1", 10)
        .road("hq", "c2", 10)
        .delegate("d1")
        .delegate("d2")
        .meeting("m2", second_commune, second_start)  # listed first: the order must not matter
        .meeting("m1", "c1", NOV10)
        .build()
    )


@pytest.mark.parametrize(
    ("start", "commune", "breaks"),
    [
        ("2025-11-10T10:20", "c2", False),  # end 10:00 + 20 min travel = 10:20: fits exactly
        ("2025-11-10T10:19", "c2", True),  # one minute short
        ("2025-11-10T10:00", "c1", False),  # same commune: no travel
        ("2025-11-10T09:59", "c1", True),
        ("2025-11-10T05:40", "c2", False),  # before m1: 05:40–07:40, + 20 min = 08:00
        ("2025-11-10T05:41", "c2", True),
        ("2025-11-11T08:00", "c1", False),  # another day
    ],
)
def test_no_overlap_counts_travel_between_communes(start: str, commune: str, breaks: bool) -> None:
    """H4: two meetings of a delegate on one day need end + travel <= start, in either order."""
    inst = two_communes_20_minutes_apart(start, second_commune=commune)
    report = score(inst, [("m1", "d1"), ("m2", "d1")])
    assert ("H4" in broken(report)) is breaks


# -- H5 capacity -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "cap", "breaks"),
    [
        (("2025-11-10", "2025-11-20"), 1, True),
        (("2025-11-10", "2025-11-20"), 2, False),
        (("2025-11-30", "2025-12-01"), 1, False),  # calendar months, not a 30-day window
        (("2025-11-10", "2025-11-20"), 0, True),
    ],
)
def test_capacity_is_per_calendar_month(days: tuple[str, str], cap: int, breaks: bool) -> None:
    """H5: per delegate and calendar month, attendances <= max_per_month."""
    inst = (
        Doc()
        .commune("c1")
        .commune("c2")
        .delegate("d1", max_per_month=cap)
        .meeting("m1", "c1", f"{days[0]}T08:00")
        .meeting("m2", "c2", f"{days[1]}T08:00")
        .build()
    )
    pairs = [("m1", "d1"), ("m2", "d1")] if cap else [("m1", "d1")]
    assert ("H5" in broken(score(inst, pairs))) is breaks


def test_default_capacity_is_four() -> None:
    """max_per_month defaults to 4: a fifth meeting in a month breaks H5."""
    doc = Doc().delegate("d1")
    for k in range(5):
        doc.commune(f"c{k}").meeting(f"m{k}", f"c{k}", f"2025-11-{10 + k}T08:00")
    inst = doc.build()
    assert "H5" not in broken(score(inst, [(f"m{k}", "d1") for k in range(4)]))
    assert "H5" in broken(score(inst, [(f"m{k}", "d1") for k in range(5)]))


# -- H6 pins and H7 cross-assignment ---------------------------------------------------


def test_pins_must_hold_and_forbidden_pairs_must_not() -> None:
    """H6: a pinned pair left out, or a forbidden pair assigned, is a violation."""
    inst = one_meeting().delegate("d1").delegate("d2").pin("m1", "d1").forbid("m1", "d2").build()
    assert broken(score(inst, [("m1", "d1")])) == set()
    assert broken(score(inst, [])) == {"H6"}
    assert "H6" in broken(score(inst, [("m1", "d2")]))


@pytest.mark.parametrize(
    ("mode", "rules", "own", "total"),
    [
        ("hard", {"H7"}, 0, 0),
        ("soft", set(), 1, 50),
        ("off", set(), 0, 0),
    ],
)
def test_own_commune_modes(mode: str, rules: set[str], own: int, total: int) -> None:
    """H7 hard is a violation; "soft" makes it the term own_commune at 50; "off" ignores it."""
    inst = one_meeting().delegate("d1", in_charge_of=["c1"]).rules(own_commune=mode).build()
    report = score(inst, [("m1", "d1")])
    assert broken(report) == rules
    assert report.terms["own_commune"] == own
    assert report.total == total


def test_own_commune_is_hard_by_default() -> None:
    """Without ``rules``, attending a commune one is in charge of breaks H7."""
    inst = one_meeting().delegate("d1", in_charge_of=["c1"]).build()
    assert broken(score(inst, [("m1", "d1")])) == {"H7"}


# -- rotation --------------------------------------------------------------------------


def seen_before(date: str, *, months: int | None = None) -> Instance:
    """d1 attended c1 on ``date``; m1 at c1 on 10/11/2025."""
    doc = one_meeting().commune("c9").delegate("d1").attended(date, "c1", "d1")
    if months is not None:
        doc.rules(rotation_months=months)
    return doc.build()


@pytest.mark.parametrize(
    ("date", "months", "rotation"),
    [
        ("2025-10-31", None, 1),
        ("2025-08-01", None, 1),  # exactly three calendar months before November
        ("2025-07-31", None, 0),
        ("2025-11-03", None, 0),  # the same month does not count
        ("2025-10-15", 0, 0),  # rotation_months 0: never
        ("2025-10-31", 1, 1),
        ("2025-09-30", 1, 0),
        ("2025-05-01", 6, 1),
        ("2024-11-15", 12, 1),
        ("2024-10-31", 12, 0),
    ],
)
def test_rotation_window_from_history(date: str, months: int | None, rotation: int) -> None:
    """rotation counts an attendance at the commune in the R calendar months before the meeting's month."""
    report = score(seen_before(date, months=months), [("m1", "d1")])
    assert report.terms["rotation"] == rotation


def test_rotation_counts_assignments_not_sources() -> None:
    """Three earlier attendances at the commune still make one rotation assignment."""
    inst = (
        one_meeting()
        .delegate("d1")
        .attended("2025-08-05", "c1", "d1")
        .attended("2025-09-05", "c1", "d1")
        .attended("2025-10-05", "c1", "d1")
        .build()
    )
    assert score(inst, [("m1", "d1")]).terms["rotation"] == 1


def test_rotation_is_per_commune_and_per_delegate() -> None:
    """An attendance at another commune, or by another delegate, is no rotation."""
    inst = (
        one_meeting()
        .commune("c2")
        .delegate("d1")
        .delegate("d2")
        .attended("2025-10-05", "c2", "d1")
        .attended("2025-10-06", "c1", "d2")
        .build()
    )
    assert score(inst, [("m1", "d1")]).terms["rotation"] == 0


@pytest.mark.parametrize(
    ("first", "rotation"),
    [("2025-10-10T08:00", 1), ("2025-08-29T08:00", 1), ("2025-07-31T08:00", 0), ("2025-11-03T08:00", 0)],
)
def test_rotation_from_an_earlier_assignment_of_the_schedule(first: str, rotation: int) -> None:
    """An earlier assignment in this schedule counts for rotation like history does."""
    inst = Doc().commune("c1").delegate("d1").meeting("m1", "c1", first).meeting("m2", "c1", NOV10).build()
    report = score(inst, [("m1", "d1"), ("m2", "d1")])
    assert report.terms["rotation"] == rotation


# -- agency_repeat ---------------------------------------------------------------------


def test_agency_repeat_from_the_latest_past_meeting() -> None:
    """Only the latest past meeting of the commune counts: its agencies, not older ones."""
    doc = (
        one_meeting()
        .delegate("x1", agency="X")
        .delegate("y1", agency="Y")
        .delegate("x2", agency="X")
        .delegate("y2", agency="Y")
        .attended("2025-09-20", "c1", "y1")
        .attended("2025-10-20", "c1", "x1")
    )
    inst = doc.build()
    assert score(inst, [("m1", "x2")]).terms["agency_repeat"] == 1
    assert score(inst, [("m1", "y2")]).terms["agency_repeat"] == 0


def test_agency_repeat_counts_every_agency_present_at_the_past_meeting() -> None:
    """Several past attendances on one date are one meeting with all their agencies."""
    inst = (
        one_meeting(2)
        .delegate("x1", 2, agency="X")
        .delegate("y1", 4, agency="Y")
        .delegate("x2", 1, agency="X")
        .delegate("y2", 4, agency="Y")
        .attended("2025-10-20", "c1", "x1")
        .attended("2025-10-20", "c1", "y1")
        .build()
    )
    report = score(inst, [("m1", "x2"), ("m1", "y2")])
    assert report.terms["agency_repeat"] == 2


def test_agency_repeat_ignores_other_communes_history() -> None:
    """A past meeting of another commune is not the previous meeting of this one."""
    doc = one_meeting().commune("c2").delegate("x1", agency="X").delegate("x2", agency="X")
    inst = doc.attended("2025-10-20", "c2", "x1").build()
    assert score(inst, [("m1", "x2")]).terms["agency_repeat"] == 0


def test_agency_repeat_previous_meeting_in_the_schedule() -> None:
    """With two meetings of one commune in the instance, the earlier one is the later one's previous meeting."""
    inst = (
        Doc()
        .commune("c1")
        .delegate("x1", agency="X")
        .delegate("x2", agency="X")
        .delegate("y1", agency="Y")
        .attended("2025-09-01", "c1", "y1")
        .meeting("m2", "c1", NOV10)
        .meeting("m1", "c1", "2025-10-10T08:00")
        .build()
    )
    # x2 at m2 follows x1 (agency X) at m1, whatever the older history says
    assert score(inst, [("m1", "x1"), ("m2", "x2")]).terms["agency_repeat"] == 1
    # y1 at m2 follows X at m1 (no repeat); x1 at m1 follows Y in history (no repeat)
    assert score(inst, [("m1", "x1"), ("m2", "y1")]).terms["agency_repeat"] == 0
    # y1 at m1 repeats the history's Y
    assert score(inst, [("m1", "y1"), ("m2", "x2")]).terms["agency_repeat"] == 1


def test_agency_repeat_after_an_empty_previous_meeting() -> None:
    """If the commune's previous meeting (in this schedule) had nobody, no agency was present."""
    inst = (
        Doc()
        .commune("c1")
        .delegate("x1", agency="X")
        .attended("2025-09-01", "c1", "x1")
        .meeting("m1", "c1", "2025-10-10T08:00")
        .meeting("m2", "c1", NOV10)
        .build()
    )
    assert score(inst, [("m2", "x1")]).terms["agency_repeat"] == 0


def test_agency_repeat_same_day_earlier_meeting() -> None:
    """An earlier meeting of the commune the same day is the previous meeting of the later one."""
    inst = (
        Doc()
        .commune("c1")
        .delegate("x1", agency="X")
        .delegate("x2", agency="X")
        .meeting("am", "c1", "2025-11-10T07:00", minutes=60)
        .meeting("pm", "c1", "2025-11-10T14:00", minutes=60)
        .build()
    )
    assert score(inst, [("am", "x1"), ("pm", "x2")]).terms["agency_repeat"] == 1


@pytest.mark.parametrize("order", [("mA", "mB"), ("mB", "mA")])
def test_agency_repeat_ties_between_simultaneous_meetings_go_to_the_larger_id(order: tuple[str, str]) -> None:
    """Two meetings of one commune at the same instant: the later meeting's previous one is
    the one with the larger id, whatever their order in the file (it once followed the file)."""
    doc = Doc().commune("c1").delegate("dA", agency="A").delegate("dB", agency="B").delegate("dX", agency="B")
    for meeting_id in order:
        doc.meeting(meeting_id, "c1", "2025-11-04T08:00")
    inst = doc.meeting("mC", "c1", NOV10).build()
    # mB (agency B) is the previous meeting of mC: dX (agency B) repeats it
    assert score(inst, [("mA", "dA"), ("mB", "dB"), ("mC", "dX")]).terms["agency_repeat"] == 1
    assert score(inst, [("mA", "dB"), ("mB", "dA"), ("mC", "dX")]).terms["agency_repeat"] == 0


# -- balance ---------------------------------------------------------------------------


def balance_with_history(first_day: str, past: str) -> int:
    """Two staff; d2 takes the only meeting (on ``first_day``); d1 attended elsewhere on ``past``."""
    inst = (
        Doc()
        .commune("c1")
        .commune("c9")
        .delegate("d1")
        .delegate("d2")
        .meeting("m1", "c1", f"{first_day}T08:00")
        .attended(past, "c9", "d1")
        .build()
    )
    return score(inst, [("m1", "d2")]).terms["balance"]


@pytest.mark.parametrize(
    ("first_day", "past", "counted"),
    [
        ("2025-11-10", "2024-11-10", True),  # the same day twelve months before: inclusive
        ("2025-11-10", "2024-11-09", False),
        ("2025-11-10", "2025-11-09", True),  # the day before the first meeting
        ("2025-11-10", "2025-11-10", False),  # the first meeting's own date is not history
        ("2025-03-01", "2024-02-29", False),
        ("2025-03-01", "2024-03-01", True),
        ("2025-02-28", "2024-02-28", True),
        ("2025-02-28", "2024-02-27", False),
        ("2025-02-28", "2024-02-29", True),
        # 29 February: twelve months before is read as 28 February (2023-02-29 does not exist)
        ("2024-02-29", "2023-02-28", True),
        ("2024-02-29", "2023-02-27", False),
        ("2024-02-29", "2023-03-01", True),
    ],
)
def test_balance_history_window(first_day: str, past: str, counted: bool) -> None:
    """balance loads count history from the same day twelve months before the first meeting up to the day before."""
    assert balance_with_history(first_day, past) == (0 if counted else 1)


def test_balance_window_starts_at_the_earliest_meeting_not_the_first_listed() -> None:
    """The first meeting is the earliest by date, whatever the order of the file."""
    inst = (
        Doc()
        .commune("c1")
        .commune("c9")
        .delegate("d1")
        .delegate("d2")
        .meeting("late", "c1", "2025-11-20T08:00")
        .meeting("early", "c1", "2025-11-03T08:00")
        .attended("2025-11-05", "c9", "d1")  # after the earliest meeting: not in the window
        .build()
    )
    assert score(inst, [("early", "d2"), ("late", "d2")]).terms["balance"] == 2


def three_staff(**third: Any) -> Doc:
    """Staff d1, d2 and d3 (d3 with ``third``); meetings m1 (10/11) and m2 (12/11) at c1 and c2."""
    return (
        Doc()
        .commune("c1")
        .commune("c2")
        .delegate("d1")
        .delegate("d2")
        .delegate("d3", **third)
        .meeting("m1", "c1", NOV10)
        .meeting("m2", "c2", "2025-11-12T08:00")
    )


@pytest.mark.parametrize(
    ("third", "balance"),
    [
        ({}, 1),
        ({"max_per_month": 0}, 0),  # left out: max_per_month 0
        ({"leave": [("2025-11-10", "2025-11-12")]}, 0),  # left out: away on every meeting day
        ({"leave": [("2025-11-10", "2025-11-10"), ("2025-11-12", "2025-11-12")]}, 0),
        ({"leave": [("2025-11-10", "2025-11-11")]}, 1),  # away on one meeting day only: stays in
        ({"in_charge_of": ["c1", "c2"]}, 1),  # cannot attend anything, but RULES does not leave them out
        ({"tier": 3}, 0),  # alone in tier 3: left out; d1 and d2 are even
        ({"max_per_month": 1}, 1),
    ],
)
def test_balance_exclusions(third: dict[str, Any], balance: int) -> None:
    """balance leaves out delegates with max_per_month 0, away on every meeting day, or alone in their group."""
    inst = three_staff(**third).build()
    assert score(inst, [("m1", "d1"), ("m2", "d2")]).terms["balance"] == balance


def test_balance_single_member_group() -> None:
    """The only member of a group is left out, whatever their load."""
    inst = three_staff(tier=3).build()
    assert score(inst, [("m1", "d3"), ("m2", "d3")]).terms["balance"] == 0  # d1, d2 at 0 and 0; d3 alone
    inst = Doc().commune("c1").delegate("d1").meeting("m1", "c1", NOV10).build()
    assert score(inst, [("m1", "d1")]).terms["balance"] == 0


def test_balance_sums_over_tier_groups() -> None:
    """Tiers 1 and 2 form one group; tiers 3 and 4 a group each; the spreads add up."""
    inst = (
        Doc()
        .commune("c1", 1)
        .commune("c2", 1)
        .commune("c3", 1)
        .delegate("t1", 1)
        .delegate("t2", 2)
        .delegate("a3", 3)
        .delegate("b3", 3)
        .delegate("a4")
        .delegate("b4")
        .meeting("m1", "c1", NOV10)
        .meeting("m2", "c2", "2025-11-11T08:00")
        .meeting("m3", "c3", "2025-11-12T08:00")
        .attended("2025-06-01", "c3", "a4")
        .attended("2025-07-01", "c3", "a4")
        .build()
    )
    # loads: t1 2, t2 0 -> 2; a3 1, b3 0 -> 1; a4 2 (history), b4 0 -> 2
    report = score(inst, [("m1", "t1"), ("m2", "t1"), ("m3", "a3")])
    assert report.terms["balance"] == 5
    assert report.total == 5 * 5


# -- senior_at_stable ------------------------------------------------------------------


@pytest.mark.parametrize(("tier", "flag", "count"), [(1, 0, 1), (2, 0, 1), (3, 0, 0), (4, 0, 0), (1, 1, 0), (2, 2, 0)])
def test_senior_at_stable(tier: int, flag: int, count: int) -> None:
    """senior_at_stable counts tier 1–2 delegates sent to a flag-0 commune."""
    inst = one_meeting(flag, required=1).delegate("d1", tier).build()
    assert score(inst, [("m1", "d1")]).terms["senior_at_stable"] == count


# -- travel ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "units"),
    [(4, 0), (4.9, 0), (5, 1), (14, 1), (14.9, 1), (15, 2), (24.5, 2), (25, 3), (35, 4), (95, 10)],
)
def test_travel_rounds_halves_up(minutes: float, units: int) -> None:
    """travel is ⌊minutes / 10 + 0.5⌋: tens of minutes, halves rounded up."""
    inst = one_meeting().road("hq", "c1", minutes).delegate("d1").build()
    assert score(inst, [("m1", "d1")]).terms["travel"] == units


def test_travel_is_the_shortest_path_from_the_base() -> None:
    """travel follows the shortest path over undirected roads, from the delegate's own base."""
    inst = (
        one_meeting()
        .commune("c2")
        .road("hq", "c1", 40)
        .road("c2", "hq", 7)  # roads are undirected
        .road("c1", "c2", 8)  # hq -> c2 -> c1: 15 minutes
        .road("hq", "mttq", 60)
        .delegate("d1")
        .delegate("d2", base="mttq")  # mttq -> hq -> c2 -> c1: 75 minutes
        .build()
    )
    assert score(inst, [("m1", "d1")]).terms["travel"] == 2
    assert score(inst, [("m1", "d2")]).terms["travel"] == 8


def test_no_roads_means_no_travel() -> None:
    """With no roads at all every travel time is 0, whatever the bases."""
    inst = one_meeting().place("mttq").delegate("d1", base="mttq").build()
    assert score(inst, [("m1", "d1")]).terms["travel"] == 0


# -- changes ---------------------------------------------------------------------------


def test_changes_count_reference_pairs_dropped() -> None:
    """changes counts reference pairs whose meeting and delegate exist but are not in the schedule."""
    inst = (
        one_meeting(required=2)
        .delegate("d1")
        .delegate("d2")
        .delegate("d3")
        .refer("m1", "d1")
        .refer("m1", "d2")
        .refer("gone", "d1")  # meeting no longer in the instance
        .refer("m1", "retired")  # delegate no longer in the instance
        .build()
    )
    assert score(inst, [("m1", "d1"), ("m1", "d2")]).terms["changes"] == 0
    report = score(inst, [("m1", "d1"), ("m1", "d3")])
    assert report.terms["changes"] == 1
    assert report.total == 20 + 5  # and d2 idle: balance 1
    assert score(inst, []).terms["changes"] == 2


def test_changes_without_reference_is_zero() -> None:
    """Without a reference schedule the changes term is 0."""
    inst = one_meeting().delegate("d1").build()
    assert score(inst, []).terms["changes"] == 0


# -- the total -------------------------------------------------------------------------


def test_total_is_the_weighted_sum_of_every_term() -> None:
    """score = Σ weight × term, with the weights of ``rules.weights`` and the rest at their defaults."""
    inst = (
        Doc()
        .commune("c1", 1)
        .commune("c2")
        .road("hq", "c1", 25)
        .road("hq", "c2", 15)
        .delegate("boss", 1, agency="X", in_charge_of=["c2"])
        .delegate("lead", 3, agency="X")
        .delegate("s1", 4, agency="Y")
        .delegate("s2", 4, agency="Z")
        .meeting("m1", "c1", NOV10)
        .meeting("m2", "c2", "2025-11-11T08:00")
        .attended("2025-10-01", "c1", "lead")
        .refer("m1", "s1")
        .rules(own_commune="soft")
        .weights(rotation=7, agency_repeat=11, balance=2, senior_at_stable=13, travel=3, own_commune=17, changes=19)
        .build()
    )
    report = score(inst, [("m1", "lead"), ("m2", "boss")])
    assert report.violations == []
    assert report.terms == {
        "rotation": 1,  # lead saw c1 in October
        "agency_repeat": 1,  # X was at c1's previous meeting
        "balance": 0,  # boss alone in 1-2, lead alone in 3, s1 and s2 both 0
        "senior_at_stable": 1,  # boss at c2 (flag 0)
        "travel": 3 + 2,  # 25 min -> 3, 15 min -> 2
        "own_commune": 1,  # boss is in charge of c2
        "changes": 1,  # (m1, s1) dropped
        "unfilled": 0,
    }
    assert report.total == 7 + 11 + 0 + 13 + 3 * 5 + 17 + 19
