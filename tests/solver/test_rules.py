"""Each hard rule and score term of RULES.md, where it binds and where it does not: exact optima.

Most instances share one shape (``near_and_far``): commune c1 is 10 minutes from hq;
"near" is staff based at hq (travel 1 to c1), "far" a leader (tier 3) based 100 minutes
beyond hq (travel 11). Each is alone in their tier group, so balance is 0, and c1 is
stable with one seat and no seniority requirement: the optimum is 1 (near goes) unless
the rule under test moves the seat to far (11) or costs something. Every number is
worked out by hand from RULES.md.
"""

from __future__ import annotations

from typing import Any

import pytest

from models.instance import Instance
from solver import Result, solve
from solver.result import PhaseResult
from tests.solver.builders import Doc, run

NOV10 = "2025-11-10T08:00"


def near_and_far(far_minutes: float = 100, *, near: dict[str, Any] | None = None, **far: Any) -> Doc:
    """c1 at 10 min from hq; "near" (tier 4, base hq) and "far" (tier 3, ``far_minutes`` beyond hq); m1 at c1."""
    return (
        Doc()
        .commune("c1")
        .road("hq", "c1", 10)
        .road("hq", "far", far_minutes)
        .delegate("near", 4, agency="Ban Tuyên giáo", **(near or {}))
        .delegate("far", far.pop("tier", 3), agency="Mặt trận", base="far", **far)
        .meeting("m1", "c1", NOV10)
    )


#: Seconds for instances spanning two months: the default backend plans those month by
#: month and improves them until its time is up (see test_auto_proves_a_tiny_two_month_instance).
SHORT = 1.5


def expect(instance: Instance, backend: str, total: int, *, time_limit: float = 10.0) -> Result:
    """Solve; the schedule breaks no hard rule, scores ``total``, and (one month) is proved optimal."""
    result = run(instance, backend, time_limit=time_limit)
    assert result.report is not None, result.problems
    assert result.report.violations == []
    assert result.report.total == total, (result.assignments, result.report.terms)
    assert result.objective == total
    assert result.bound is None or result.bound <= total
    assert (result.status == "partial") == bool(result.gaps) == bool(result.report.gaps)
    if len({m.start.month for m in instance.meetings}) == 1 and not result.gaps:
        assert result.status == "optimal"
        assert result.bound == total
    return result


def test_the_shape_itself(backend: str) -> None:
    """The shared shape: near goes, travel 1, nothing else."""
    result = expect(near_and_far().build(), backend, 1)
    assert result.assignments == [("m1", "near")]
    assert result.status == "optimal"


# -- H1 coverage, H2 seniority, partial schedules --------------------------------------


def test_h1_fills_every_seat_it_can(backend: str) -> None:
    """H1: a meeting needing two gets both delegates (travel 1 + 11), never more than required."""
    result = expect(near_and_far().build(), backend, 1)
    assert len(result.assignments) == 1
    doc = near_and_far()
    doc.meetings[0]["required"] = 2
    result = expect(doc.build(), backend, 12)
    assert sorted(d for _, d in result.assignments) == ["far", "near"]


def test_h1_binds_an_empty_seat_costs_1000(backend: str) -> None:
    """H1 cannot hold with three seats and two delegates: one seat stays empty at 1000, status partial."""
    doc = near_and_far()
    doc.meetings[0]["required"] = 3
    result = expect(doc.build(), backend, 1000 + 12)
    assert result.status == "partial"
    assert [(g.meeting, g.seats, g.senior_missing) for g in result.gaps] == [("m1", 1, False)]


@pytest.mark.parametrize(
    ("flag", "meeting", "total", "who"),
    [
        (0, {}, 1, "near"),  # stable: no seniority, near is cheaper
        (1, {}, 11, "far"),  # flag 1: tier <= 3 by default, so far
        (1, {"senior_tier": None}, 1, "near"),  # explicit null: no seniority
        (0, {"senior_tier": 3}, 11, "far"),  # explicit on a stable commune
    ],
)
def test_h2_seniority_defaults_by_flag(flag: int, meeting: dict[str, Any], total: int, who: str, backend: str) -> None:
    """H2: senior_tier defaults to 3 at flag 1 and none at flag 0; an explicit value or null wins."""
    doc = near_and_far()
    doc.communes[0]["flag"] = flag
    doc.meetings[0].update(meeting)
    result = expect(doc.build(), backend, total)
    assert result.assignments == [("m1", who)]


def test_h2_flag_two_defaults(backend: str) -> None:
    """A flag-2 commune needs two delegates, one of tier <= 2, by default."""
    doc = Doc().commune("c1", 2).delegate("t2", 2).delegate("t3", 3).delegate("t4", 4).meeting("m1", "c1", NOV10)
    result = expect(doc.build(), backend, 0)  # each alone in their group, flag 2 is not stable
    assert len(result.assignments) == 2
    assert ("m1", "t2") in result.assignments


def test_h2_unmet_seniority_is_partial(backend: str) -> None:
    """With no tier <= 2 delegate, a flag-2 meeting gets two others and one unit of unfilled."""
    doc = Doc().commune("c1", 2).delegate("t3", 3).delegate("t4", 4).meeting("m1", "c1", NOV10)
    result = expect(doc.build(), backend, 1000)
    assert result.status == "partial"
    assert [(g.seats, g.senior_missing) for g in result.gaps] == [(0, True)]


def test_empty_seat_and_unmet_seniority_count_once_each(backend: str) -> None:
    """A flag-2 meeting with a single tier-4 delegate: one empty seat + unmet seniority = 2000."""
    doc = Doc().commune("c1", 2).delegate("t4", 4).meeting("m1", "c1", NOV10)
    result = expect(doc.build(), backend, 2000)
    assert result.assignments == [("m1", "t4")]
    assert [(g.seats, g.senior_missing) for g in result.gaps] == [(1, True)]


def test_explicit_required_overrides_the_flag(backend: str) -> None:
    """An explicit ``required: 1`` at a flag-2 commune means one seat (still tier <= 2)."""
    doc = Doc().commune("c1", 2).delegate("t2", 2).delegate("t4", 4).meeting("m1", "c1", NOV10, required=1)
    result = expect(doc.build(), backend, 0)
    assert result.assignments == [("m1", "t2")]


def test_unfilled_weight_prices_the_gap(backend: str) -> None:
    """With weights.unfilled 7 the unmet seniority of a flag-1 meeting staffed by near costs 7 (+ travel 1)."""
    doc = near_and_far().weights(unfilled=7)
    doc.communes[0]["flag"] = 1
    doc.delegates.pop()  # no far
    expect(doc.build(), backend, 7 + 1)


@pytest.mark.parametrize(
    ("flag", "near_minutes", "weights", "total"),
    [
        (0, 50, {"unfilled": 1}, 5),  # fill the seat (travel 5) rather than pay 1 for leaving it empty
        (1, 10, {"unfilled": 1}, 11),  # send far (tier 3, travel 11) rather than leave seniority unmet
        (0, 10_100, {}, 1010),  # default weights: a 7-day trip still beats an empty seat
    ],
)
def test_gaps_only_when_the_hard_rules_cannot_hold(
    flag: int, near_minutes: float, weights: dict[str, int], total: int, backend: str
) -> None:
    """H1 and H2 are hard: a schedule is partial only when they cannot all hold, whatever weights.unfilled is."""
    doc = Doc().commune("c1", flag).road("hq", "c1", near_minutes).road("hq", "far", 100)
    doc.delegate("near").meeting("m1", "c1", NOV10).weights(**weights)
    if flag:
        doc.delegate("far", 3, base="far")
    result = expect(doc.build(), backend, total)
    assert result.status == "optimal"
    assert result.gaps == []


@pytest.mark.parametrize(
    "blocker",
    [
        {"leave": [("2025-11-10", "2025-11-10")]},
        {"in_charge_of": ["c1"]},
        {"max_per_month": 0},
    ],
)
def test_hard_rules_are_never_broken_to_fill_a_seat(blocker: dict[str, Any], backend: str) -> None:
    """H3–H7 hold even when that leaves seniority unmet: far cannot come, so near goes and H2 is a gap."""
    doc = near_and_far(**blocker)
    doc.communes[0]["flag"] = 1
    result = expect(doc.build(), backend, 1000 + 1)
    assert result.assignments == [("m1", "near")]
    assert result.status == "partial"


def test_forbidden_is_never_broken_to_fill_a_seat(backend: str) -> None:
    """A forbidden pair stays out even when its seat then stays empty (H6 over H1)."""
    doc = near_and_far().forbid("m1", "near").forbid("m1", "far")
    result = expect(doc.build(), backend, 1000)
    assert result.assignments == []


# -- H3 availability -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("leave", "total"),
    [
        (("2025-11-10", "2025-11-10"), 11),
        (("2025-11-08", "2025-11-10"), 11),  # `to` inclusive
        (("2025-11-10", "2025-11-12"), 11),  # `from` inclusive
        (("2025-11-11", "2025-11-12"), 1),
        (("2025-11-01", "2025-11-09"), 1),
    ],
)
def test_h3_availability(leave: tuple[str, str], total: int, backend: str) -> None:
    """H3: near on leave on the meeting's date (range ends inclusive) sends far instead."""
    expect(near_and_far(near={"leave": [leave]}).build(), backend, total)


# -- H4 no overlap ---------------------------------------------------------------------


def two_meetings(second: str, commune: str = "c2", *, reverse: bool = False) -> Instance:
    """near and far; m1 at c1 08:00–10:00 and m2 at ``commune`` from ``second``; c2 is 20 min from c1."""
    doc = near_and_far().commune("c2").road("hq", "c2", 10)
    doc.meeting("m2", commune, second)
    if reverse:
        doc.meetings.reverse()
    return doc.build()


@pytest.mark.parametrize(
    ("second", "commune", "total"),
    [
        ("2025-11-10T10:20", "c2", 2),  # end 10:00 + 20 min = 10:20: near takes both
        ("2025-11-10T10:19", "c2", 12),  # one minute short: far takes one
        ("2025-11-10T09:00", "c2", 12),  # plain overlap
        ("2025-11-10T05:40", "c2", 2),  # before m1, fits exactly the other way round
        ("2025-11-10T05:41", "c2", 12),
        ("2025-11-10T10:00", "c1", 1 + 1 + 3),  # same commune back to back: near both, agency repeat
        ("2025-11-11T08:00", "c2", 2),  # another day
    ],
)
@pytest.mark.parametrize("reverse", [False, True])
def test_h4_no_overlap_with_travel(second: str, commune: str, total: int, reverse: bool, backend: str) -> None:
    """H4: a delegate takes two same-day meetings only if end + travel <= start, in either order."""
    expect(two_meetings(second, commune, reverse=reverse), backend, total)


def test_h4_is_pairwise_not_a_chain(backend: str) -> None:
    """A overlaps B and B overlaps C, but A then C fits: near takes A and C, far takes B (1 + 1 + 11)."""
    doc = near_and_far()
    doc.meetings.clear()
    doc.meeting("A", "c1", "2025-11-10T08:00", minutes=120)  # 08:00–10:00
    doc.meeting("B", "c1", "2025-11-10T09:00", minutes=120)  # 09:00–11:00
    doc.meeting("C", "c1", "2025-11-10T10:00", minutes=120)  # 10:00–12:00, right after A
    result = expect(doc.build(), backend, 13)
    assert sorted(result.assignments) == [("A", "near"), ("B", "far"), ("C", "near")]


# -- H5 capacity -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "cap", "total"),
    [
        (("2025-11-10", "2025-11-20"), 1, 12),
        (("2025-11-10", "2025-11-20"), 2, 2),
        (("2025-11-10", "2025-11-20"), None, 2),
        (("2025-11-30", "2025-12-01"), 1, 2),  # calendar months: one in each
    ],
)
def test_h5_capacity_per_calendar_month(days: tuple[str, str], cap: int | None, total: int, backend: str) -> None:
    """H5: near's max_per_month caps their meetings per calendar month."""
    doc = near_and_far(near={} if cap is None else {"max_per_month": cap}).commune("c2").road("hq", "c2", 10)
    doc.meetings.clear()
    doc.meeting("m1", "c1", f"{days[0]}T08:00").meeting("m2", "c2", f"{days[1]}T08:00")
    expect(doc.build(), backend, total, time_limit=SHORT)


def test_h5_default_cap_is_four(backend: str) -> None:
    """Five meetings in a month at five communes: near takes four (the default cap), far the fifth."""
    doc = near_and_far()
    doc.meetings.clear()
    for k in range(5):
        doc.commune(f"k{k}").road("hq", f"k{k}", 10).meeting(f"m{k}", f"k{k}", f"2025-11-{10 + k}T08:00")
    expect(doc.build(), backend, 4 + 11)


def test_h5_zero_cap(backend: str) -> None:
    """max_per_month 0: never assigned."""
    expect(near_and_far(near={"max_per_month": 0}).build(), backend, 11)


# -- H6 pins and forbidden pairs -------------------------------------------------------


def test_h6_pin(backend: str) -> None:
    """A pinned pair holds even when dearer: far is pinned, 11."""
    result = expect(near_and_far().pin("m1", "far").build(), backend, 11)
    assert result.assignments == [("m1", "far")]


def test_h6_pin_of_the_cheapest_changes_nothing(backend: str) -> None:
    """Pinning the pair the optimum would choose anyway leaves the optimum at 1."""
    expect(near_and_far().pin("m1", "near").build(), backend, 1)


def test_h6_forbidden(backend: str) -> None:
    """A forbidden pair is never assigned: near forbidden, far goes, 11."""
    result = expect(near_and_far().forbid("m1", "near").build(), backend, 11)
    assert result.assignments == [("m1", "far")]


def test_h6_pin_fills_a_seat_without_seniority(backend: str) -> None:
    """A pin of a junior at a flag-1 meeting holds; the unmet seniority is a gap (1000 + travel 1)."""
    doc = near_and_far().pin("m1", "near")
    doc.communes[0]["flag"] = 1
    result = expect(doc.build(), backend, 1001)
    assert result.status == "partial"


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        (near_and_far(near={"leave": [("2025-11-10", "2025-11-10")]}).pin("m1", "near"), "near"),
        (near_and_far(near={"in_charge_of": ["c1"]}).pin("m1", "near"), "near"),
        (near_and_far().pin("m1", "near").forbid("m1", "near"), "near"),
        (near_and_far().pin("m1", "near").pin("m1", "far"), "near"),
        (
            near_and_far()
            .commune("c2")
            .road("hq", "c2", 10)
            .meeting("m2", "c2", "2025-11-10T09:00")
            # pinned to two overlapping meetings
            .pin("m1", "near")
            .pin("m2", "near"),
            "near",
        ),
        (
            near_and_far(near={"max_per_month": 1})
            .commune("c2")
            .road("hq", "c2", 10)
            .meeting("m2", "c2", "2025-11-20T09:00")
            .pin("m1", "near")
            .pin("m2", "near"),
            "near",
        ),
    ],
    ids=["on-leave", "in-charge", "forbidden", "over-required", "overlap", "capacity"],
)
def test_impossible_pins_are_infeasible(doc: Doc, words: str, backend: str) -> None:
    """Pins that break H1 or H3–H7 make the instance infeasible, with a reason naming the delegate."""
    result = run(doc.build(), backend, time_limit=5.0)
    assert result.status == "infeasible"
    assert result.assignments == []
    assert result.problems
    assert any(words in problem for problem in result.problems), result.problems


# -- H7 cross-assignment and own_commune -----------------------------------------------


@pytest.mark.parametrize(
    ("mode", "weights", "far_minutes", "total", "who"),
    [
        (None, {}, 100, 11, "far"),  # hard by default
        ("hard", {}, 100, 11, "far"),
        ("soft", {}, 100, 11, "far"),  # 1 + 50 > 11
        ("soft", {"own_commune": 5}, 100, 6, "near"),  # 1 + 5 < 11
        ("soft", {}, 600, 51, "near"),  # far is 61 away: 1 + 50 < 61
        ("off", {}, 100, 1, "near"),
    ],
)
def test_h7_own_commune_modes(
    mode: str | None, weights: dict[str, int], far_minutes: float, total: int, who: str, backend: str
) -> None:
    """H7: near is in charge of c1: hard forbids it, soft prices it at weights.own_commune, off ignores it."""
    doc = near_and_far(far_minutes, near={"in_charge_of": ["c1"]}).weights(**weights)
    if mode is not None:
        doc.rules(own_commune=mode)
    result = expect(doc.build(), backend, total)
    assert result.assignments == [("m1", who)]
    assert result.report is not None
    assert result.report.terms["own_commune"] == int(mode == "soft" and who == "near")


# -- rotation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("past", "months", "total"),
    [
        # near saw c1 before: agency repeat (3) always; rotation (10) inside the window
        ("2025-10-31", None, 11),  # 1 + 10 + 3 = 14 > 11: far
        ("2025-08-01", None, 11),  # exactly 3 months before
        ("2025-07-31", None, 4),  # outside: 1 + 3
        ("2025-11-03", None, 4),  # same month: no rotation
        ("2025-10-15", 0, 4),  # rotation_months 0
        ("2025-10-31", 1, 11),
        ("2025-09-30", 1, 4),
    ],
)
def test_rotation_window(past: str, months: int | None, total: int, backend: str) -> None:
    """rotation: near attended c1 in the R calendar months before November costs 10 more."""
    doc = near_and_far().attended(past, "c1", "near")
    if months is not None:
        doc.rules(rotation_months=months)
    expect(doc.build(), backend, total)


def test_rotation_between_months_of_the_schedule(backend: str) -> None:
    """An earlier assignment in the schedule counts: alone, d1 takes c1 in October and November (10 + 3)."""
    doc = Doc().commune("c1").delegate("d1").meeting("m1", "c1", "2025-10-10T08:00").meeting("m2", "c1", NOV10)
    expect(doc.build(), backend, 13, time_limit=SHORT)


def test_rotation_between_months_outside_the_window(backend: str) -> None:
    """July then November: four months apart, no rotation; only the agency repeat (3)."""
    doc = Doc().commune("c1").delegate("d1").meeting("m1", "c1", "2025-07-31T08:00").meeting("m2", "c1", NOV10)
    expect(doc.build(), backend, 3, time_limit=SHORT)


def test_rotation_avoided_by_a_second_delegate(backend: str) -> None:
    """With a second delegate of another agency and tier, October and November go to different people: 0."""
    doc = (
        Doc()
        .commune("c1")
        .delegate("d1")
        .delegate("d2", 3)
        .meeting("m1", "c1", "2025-10-10T08:00")
        .meeting("m2", "c1", NOV10)
    )
    expect(doc.build(), backend, 0, time_limit=SHORT)


# -- agency_repeat ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "total"),
    [
        ([], 1),
        ([("2025-10-20", "peer")], 3),  # near's agency was there last time: 1 + 3 > 3, far goes
        ([("2025-09-20", "peer"), ("2025-10-20", "other")], 1),  # the latest one had another agency
        ([("2025-10-20", "other"), ("2025-09-20", "peer")], 1),  # order of the file is irrelevant
        ([("2025-09-20", "other"), ("2025-10-20", "peer")], 3),
    ],
)
def test_agency_repeat_from_history(history: list[tuple[str, str]], total: int, backend: str) -> None:
    """agency_repeat: near's agency (shared with "peer") at c1's latest past meeting costs 3."""
    doc = near_and_far(20)  # far: 30 minutes, travel 3
    doc.delegate("peer", 1, agency="Ban Tuyên giáo", max_per_month=0)  # out of balance, never assigned
    doc.delegate("other", 1, agency="Văn phòng", max_per_month=0)
    for date, who in history:
        doc.attended(date, "c1", who)
    expect(doc.build(), backend, total)


@pytest.mark.parametrize(("agency", "total"), [("A", 3), ("B", 0)])
def test_agency_repeat_within_the_schedule(agency: str, total: int, backend: str) -> None:
    """Two meetings of c1 (October, November): the second repeats the first's agency when both delegates share it."""
    doc = (
        Doc()
        .commune("c1")
        .delegate("d1", agency="A")
        .delegate("d2", agency=agency)
        .meeting("m1", "c1", "2025-10-10T08:00")
        .meeting("m2", "c1", NOV10)
    )
    result = expect(doc.build(), backend, total, time_limit=SHORT)
    assert sorted(d for _, d in result.assignments) == ["d1", "d2"]


@pytest.mark.parametrize("order", [("mA", "mB"), ("mB", "mA")])
def test_agency_repeat_after_simultaneous_meetings_follows_the_larger_id(order: tuple[str, str], backend: str) -> None:
    """mA (agency A) and mB (agency B) at the same instant, then mC: mB is mC's previous
    meeting whatever the file order, so staff of B repeats (3) and near-free A goes (1)."""
    doc = (
        Doc()
        .commune("c1")
        .place("far")
        .road("hq", "c1", 1)
        .road("far", "c1", 10)
        .delegate("dA", agency="A", max_per_month=1)
        .delegate("dB", agency="B", max_per_month=1)
        .delegate("xB", agency="B")
        .delegate("yA", agency="A", base="far")
        .pin("mA", "dA")
        .pin("mB", "dB")
        .weights(balance=0)
    )
    for meeting_id in order:
        doc.meeting(meeting_id, "c1", "2025-10-04T08:00")
    doc.meeting("mC", "c1", NOV10)
    result = expect(doc.build(), backend, 1)
    assert ("mC", "yA") in result.assignments


# -- balance ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "past", "total"),
    [
        ("2025-11-10", "2024-11-10", 0),
        ("2025-11-10", "2024-11-09", 5),
        ("2025-11-10", "2025-11-09", 0),
        ("2025-11-10", "2025-11-10", 5),
        ("2024-02-29", "2023-02-28", 0),
        ("2024-02-29", "2023-02-27", 5),
        ("2025-03-01", "2024-02-29", 5),
        ("2025-02-28", "2024-02-29", 0),
    ],
)
def test_balance_window(first_day: str, past: str, total: int, backend: str) -> None:
    """balance: d1's past attendance inside the window evens the loads if d2 goes (0), outside it costs 5."""
    doc = (
        Doc()
        .commune("c1")
        .commune("c9")
        .delegate("d1")
        .delegate("d2")
        .meeting("m1", "c1", f"{first_day}T08:00")
        .attended(past, "c9", "d1")
    )
    expect(doc.build(), backend, total)


@pytest.mark.parametrize(
    ("third", "total"),
    [
        (None, 0),  # two staff, two meetings: one each
        ({}, 5),  # three staff, two meetings: someone stays at 0
        ({"max_per_month": 0}, 0),
        ({"leave": [("2025-11-10", "2025-11-12")]}, 0),
        ({"leave": [("2025-11-10", "2025-11-11")]}, 5),
        ({"in_charge_of": ["c1", "c2"]}, 5),
        ({"tier": 3}, 0),
    ],
)
def test_balance_exclusions(third: dict[str, Any] | None, total: int, backend: str) -> None:
    """balance leaves out max_per_month 0, away on every meeting day, and single members; nobody else."""
    doc = (
        Doc()
        .commune("c1")
        .commune("c2")
        .delegate("d1")
        .delegate("d2")
        .meeting("m1", "c1", NOV10)
        .meeting("m2", "c2", "2025-11-12T08:00")
    )
    if third is not None:
        doc.delegate("d3", **third)
    expect(doc.build(), backend, total)


def test_balance_single_member(backend: str) -> None:
    """One staff member alone in the group: taking both meetings costs no balance."""
    doc = (
        Doc()
        .commune("c1")
        .commune("c2")
        .delegate("d1")
        .meeting("m1", "c1", NOV10)
        .meeting("m2", "c2", "2025-11-12T08:00")
    )
    expect(doc.build(), backend, 0)


def test_balance_prefers_the_lighter_load(backend: str) -> None:
    """Balance against travel: d1 has two past attendances, so d2 goes although d2's trip is longer."""
    doc = (
        Doc()
        .commune("c1")
        .commune("c9")
        .road("hq", "c1", 5)
        .road("hq", "c9", 5)
        .road("hq", "p2", 20)
        .delegate("d1")
        .delegate("d2", base="p2")
        .meeting("m1", "c1", NOV10)
        .attended("2025-05-05", "c9", "d1")
        .attended("2025-06-05", "c9", "d1")
    )
    # d1: travel 1 (5 min), loads 3/0 -> 15 + 1 = 16; d2: travel 3 (25 min), loads 2/1 -> 5 + 3 = 8
    expect(doc.build(), backend, 8)


# -- senior_at_stable ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "staff_away", "total"),
    [(0, False, 0), (0, True, 1), (1, False, 0)],
)
def test_senior_at_stable(flag: int, staff_away: bool, total: int, backend: str) -> None:
    """senior_at_stable: a tier-2 delegate at a stable commune costs 1; at a flag-1 commune nothing."""
    leave = [("2025-11-10", "2025-11-10")] if staff_away else []
    doc = Doc().commune("c1", flag).delegate("boss", 2).delegate("staff", leave=leave).meeting("m1", "c1", NOV10)
    expect(doc.build(), backend, total)


# -- travel ----------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "units"), [(4, 0), (5, 1), (14, 1), (15, 2), (24.5, 2), (25, 3)])
def test_travel_rounding(minutes: float, units: int, backend: str) -> None:
    """travel: tens of minutes, halves rounded up (15 → 2, 14 → 1, 25 → 3)."""
    doc = Doc().commune("c1").road("hq", "c1", minutes).delegate("d1").meeting("m1", "c1", NOV10)
    expect(doc.build(), backend, units)


def test_travel_shortest_path(backend: str) -> None:
    """travel uses the shortest path: hq–c2–c1 (15 min) rather than the direct 40-minute road."""
    doc = (
        Doc()
        .commune("c1")
        .commune("c2")
        .road("hq", "c1", 40)
        .road("hq", "c2", 7)
        .road("c2", "c1", 8)
        .delegate("d1")
        .meeting("m1", "c1", NOV10)
    )
    expect(doc.build(), backend, 2)


def test_no_roads_no_travel(backend: str) -> None:
    """With no roads at all travel is 0."""
    doc = Doc().commune("c1").delegate("d1").meeting("m1", "c1", NOV10)
    expect(doc.build(), backend, 0)


# -- changes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "total", "who"),
    [
        ([], 1, "near"),
        ([("m1", "near")], 1, "near"),
        ([("m1", "far")], 11, "far"),  # keeping far: 11 < 1 + 20
        ([("gone", "far"), ("m1", "retired")], 1, "near"),  # pairs naming what is gone do not count
    ],
)
def test_changes(reference: list[tuple[str, str]], total: int, who: str, backend: str) -> None:
    """changes: dropping a reference pair costs 20."""
    doc = near_and_far()
    doc.reference = [{"meeting": m, "delegate": d} for m, d in reference]
    result = expect(doc.build(), backend, total)
    assert result.assignments == [("m1", who)]


def test_changes_unavoidable(backend: str) -> None:
    """A reference pair that can no longer hold (near on leave) still counts: far 11 + 20."""
    doc = near_and_far(near={"leave": [("2025-11-10", "2025-11-10")]}).refer("m1", "near")
    expect(doc.build(), backend, 31)


# -- the auto backend on a short horizon ------------------------------------------------


def test_auto_proves_a_tiny_two_month_instance() -> None:
    """The default backend proves the optimum of a two-meeting, two-month instance well within its time limit."""
    doc = (
        Doc()
        .commune("c1")
        .delegate("d1", agency="A")
        .delegate("d2", agency="A")
        .meeting("m1", "c1", "2025-10-10T08:00")
        .meeting("m2", "c1", NOV10)
    )
    result = run(doc.build(), "auto", time_limit=3.0)
    assert result.total == 3
    assert result.status == "optimal", (result.status, result.bound, result.seconds, result.details)
    assert result.seconds < 1.5


def test_an_instance_without_meetings(backend: str) -> None:
    """No meetings: the empty schedule, score 0, and nothing left to prove — status optimal."""
    result = run(Doc().commune("c1").delegate("d1").delegate("d2").build(), backend, time_limit=2.0)
    assert result.assignments == []
    assert result.total == 0
    assert result.status == "optimal", (result.status, result.bound)


def test_a_meeting_nobody_can_attend_is_proved_as_few_gaps_as_possible(backend: str) -> None:
    """Everyone on leave that day: no pair is left to decide, and the one gap (with the
    reference pair it drops) is proved the least possible, for the weighted and the
    changes-first solve alike."""
    doc = (
        Doc()
        .commune("c1")
        .delegate("d1", leave=[("2025-11-10", "2025-11-10")])
        .delegate("d2", leave=[("2025-11-10", "2025-11-10")])
        .meeting("m1", "c1", NOV10)
        .refer("m1", "d1")
    )
    result = run(doc.build(), backend, time_limit=SHORT)
    assert result.status == "partial"
    assert result.total == 1020
    if backend.startswith("auto"):
        assert result.bound == 1020
        assert result.details.phases["unfilled"] == PhaseResult(1, True)
    lexicographic = solve(doc.build(), backend="auto", time_limit=SHORT, priority=("changes",))
    assert lexicographic.details.phases["changes"] == PhaseResult(1, True)
