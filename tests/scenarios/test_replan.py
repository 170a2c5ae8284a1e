"""Re-planning: the list of changed meetings with reasons, and minimal change proved by
brute force on the tiny month and on a generated family of tiny months."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.instance import Instance
from models.io import instance_from_document
from scenarios.replan import MeetingChange, changes_proved, diff, repair_hint, resolve
from scenarios.scenario import build, parse_scenario
from solver import score
from tests.scenarios.conftest import PUBLISHED
from tests.solver import test_bruteforce as bruteforce
from tests.solver.strategies import instance_documents
from tests.solver.strategies import schedules as any_schedule


def changes(*raw: dict[str, Any]) -> tuple[Any, ...]:
    return parse_scenario({"base": "x.json", "changes": list(raw)}).changes


def explain(tiny: dict[str, Any], raw: list[dict[str, Any]], new: list[tuple[str, str]]) -> list[MeetingChange]:
    before = build(tiny, (), None).instance
    scenario = changes(*raw)
    after = build(tiny, scenario, PUBLISHED).instance
    return diff(before, after, PUBLISHED, new, scenario)


def replaced(meeting: str, old: str, new: str) -> list[tuple[str, str]]:
    return [(m, new if (m, d) == (meeting, old) else d) for m, d in PUBLISHED]


def test_an_illness_reads_as_the_planner_writes_it(tiny: dict[str, Any]) -> None:
    """ "Đ/c X nghỉ ốm 04/11–05/11 → thay bằng Đ/c Y", for exactly the meetings that changed."""
    ill = {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-05", "reason": "Nghỉ ốm"}
    new = [(m, {"m1": "d3", "m2": "d4"}.get(m, d)) for m, d in PUBLISHED]
    found = explain(tiny, [ill], new)
    assert [(c.meeting, c.before, c.after) for c in found] == [("m1", ("d1",), ("d3",)), ("m2", ("d1",), ("d4",))]
    assert found[0].reason == "Đ/c Nguyễn Văn Kiên nghỉ ốm 04/11–05/11 → thay bằng Đ/c Lò Văn Sơn"
    assert found[1].reason == "Đ/c Nguyễn Văn Kiên nghỉ ốm 04/11–05/11 → thay bằng Đ/c Phạm Ngọc Lan"


def test_a_moved_meeting_says_from_when_to_when(tiny: dict[str, Any]) -> None:
    """A meeting moved to a day its delegate is away names both dates and the leave."""
    moved = {"kind": "meeting_moved", "meeting": "m4", "start": "2025-11-10T08:00", "reason": "Bão"}
    away = {"kind": "delegate_away", "delegate": "d3", "from": "2025-11-10", "to": "2025-11-10", "reason": "Họp"}
    (change,) = explain(tiny, [away, moved], replaced("m4", "d3", "d4"))
    assert change.reason == "Đ/c Lò Văn Sơn họp 10/11 → thay bằng Đ/c Phạm Ngọc Lan"
    (change,) = explain(tiny, [moved], replaced("m4", "d3", "d4"))
    assert change.reason == "Hội nghị dời từ 14:00 06/11 sang 08:00 10/11 (bão) → thay bằng Đ/c Phạm Ngọc Lan"


def test_a_raised_flag_adds_a_seat(tiny: dict[str, Any]) -> None:
    """Flag 2 on a stable commune: the kept delegate stays and the reason says what is needed."""
    flag = {"kind": "commune_flag", "commune": "c4", "flag": 2, "reason": "Tranh chấp đất đai"}
    (change,) = explain(tiny, [flag], [*PUBLISHED, ("m4", "d2")])
    assert change.seats == 1
    assert change.reason == (
        "Phường Kim Tân chuyển sang mức “phức tạp” (tranh chấp đất đai), cần 2 đại biểu và đại biểu từ cấp "
        "Ủy viên Ban Thường vụ trở lên → thêm Đ/c Trần Thị Thu Hà"
    )


def test_cancelled_added_and_leaving(tiny: dict[str, Any]) -> None:
    """A cancelled meeting, an added one and a departure each get their own reason."""
    raw = [
        {"kind": "meeting_cancelled", "meeting": "m2", "reason": "Ghép hội nghị"},
        {"kind": "meeting_added", "meeting": {"id": "m9", "commune": "c1", "start": "2025-11-07T08:00"}},
        {"kind": "delegate_leaving", "delegate": "d3", "reason": "Chuyển công tác"},
    ]
    new = [("m1", "d1"), ("m3", "d2"), ("m3", "d5"), ("m4", "d4"), ("m9", "d3x")]
    found = {c.meeting: c.reason for c in explain(tiny, raw, new)}
    assert found["m2"] == "Hội nghị bị hủy (ghép hội nghị) → bỏ phân công Đ/c Nguyễn Văn Kiên"
    assert found["m4"] == "Đ/c Lò Văn Sơn thôi tham gia (chuyển công tác) → thay bằng Đ/c Phạm Ngọc Lan"
    assert found["m9"].startswith("Hội nghị mới → cử ")


def test_a_knock_on_move_names_where_the_delegate_went(tiny: dict[str, Any]) -> None:
    """A delegate moved to cover another meeting is explained by that meeting."""
    ill = {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04", "reason": "Nghỉ ốm"}
    new = [("m1", "d3"), ("m2", "d4"), ("m3", "d2"), ("m3", "d5"), ("m4", "d4")]
    found = {c.meeting: c.reason for c in explain(tiny, [ill], new)}
    assert found["m4"] == "Đ/c Lò Văn Sơn chuyển sang dự Phường Cốc Lếu (08:00 04/11) → thay bằng Đ/c Phạm Ngọc Lan"


def test_unchanged_meetings_are_not_listed(tiny: dict[str, Any]) -> None:
    """The same delegates in another order, or a moved meeting with its delegate kept, is no change."""
    moved = {"kind": "meeting_moved", "meeting": "m4", "start": "2025-11-10T08:00"}
    assert explain(tiny, [moved], list(reversed(PUBLISHED))) == []


def test_repair_hint_drops_only_what_became_impossible(tiny: dict[str, Any]) -> None:
    """The hint drops the absent delegate's pairs, adds the pin, and drops the pair it displaces."""
    raw = changes(
        {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04"},
        {"kind": "pin", "meeting": "m4", "delegate": "d4"},
    )
    month = build(tiny, raw, PUBLISHED).instance
    hint = repair_hint(month, PUBLISHED)
    assert sorted(hint) == [("m3", "d2"), ("m3", "d5"), ("m4", "d4")]
    assert not score(month, hint).violations


# --- minimal change, by brute force -------------------------------------------------------


def schedules(month: Instance) -> Iterator[list[tuple[str, str]]]:
    """Every schedule giving each meeting at most its seats (empty seats allowed)."""
    people = [d.id for d in month.delegates]
    options = []
    for meeting in month.meetings:
        choices = [c for k in range(month.required(meeting) + 1) for c in itertools.combinations(people, k)]
        options.append([[(meeting.id, d) for d in choice] for choice in choices])
    for combo in itertools.product(*options):
        yield [pair for part in combo for pair in part]


def brute_force(month: Instance) -> tuple[int, tuple[int, int]]:
    """(best total, lexicographically least (unfilled, changes)) over all valid schedules."""
    best_total, best_lex = None, None
    for pairs in schedules(month):
        report = score(month, pairs)
        if report.violations:
            continue
        lex = (report.terms["unfilled"], report.terms["changes"])
        best_total = report.total if best_total is None else min(best_total, report.total)
        best_lex = lex if best_lex is None else min(best_lex, lex)
    assert best_total is not None
    assert best_lex is not None
    return best_total, best_lex


SITUATIONS = {
    "d1 ốm ngày 4": [{"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04"}],
    "d2 và d3 vắng ngày 6": [
        {"kind": "delegate_away", "delegate": "d2", "from": "2025-11-06", "to": "2025-11-06"},
        {"kind": "delegate_away", "delegate": "d3", "from": "2025-11-06", "to": "2025-11-06"},
    ],
    "m2 dời, c4 cần quan tâm": [
        {"kind": "meeting_moved", "meeting": "m2", "start": "2025-11-06T08:00"},
        {"kind": "commune_flag", "commune": "c4", "flag": 1, "reason": "Đơn thư"},
    ],
}


@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_changes_first_finds_the_fewest_changes(tiny: dict[str, Any], situation: str) -> None:
    """With changes first, the solver's change count is the minimum over every possible schedule."""
    month = build(tiny, changes(*SITUATIONS[situation]), PUBLISHED).instance
    _, (unfilled, fewest) = brute_force(month)
    result = resolve(month, PUBLISHED, "changes_first", time_limit=10, workers=1)
    assert result.report is not None
    assert (result.report.terms["unfilled"], result.report.terms["changes"]) == (unfilled, fewest)
    assert result.status in ("optimal", "partial")


@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_weighted_replan_is_the_true_optimum(tiny: dict[str, Any], situation: str) -> None:
    """With weights, a proved optimum equals the least total over every possible schedule."""
    month = build(tiny, changes(*SITUATIONS[situation]), PUBLISHED).instance
    best, _ = brute_force(month)
    result = resolve(month, PUBLISHED, "weighted", time_limit=10, workers=1)
    assert result.total == best


@st.composite
def published_months(draw: st.DrawFn) -> dict[str, Any]:
    """A tiny month (at most 4 meetings and 4 delegates) whose reference is a schedule published
    before its facts changed: it may now break rules (leave, bans, caps, pins elsewhere)."""
    doc = draw(instance_documents(min_meetings=2, max_meetings=4, min_delegates=3, max_delegates=4))
    published = draw(any_schedule(doc, overfill=False))
    doc["reference"] = [{"meeting": m, "delegate": d} for m, d in published]
    # A cheap change (weight 0 or 1) is what a weighted solve would trade away: changes_first
    # must still keep the fewest.
    rules = doc.setdefault("rules", {})
    rules["weights"] = {**rules.get("weights", {}), "changes": draw(st.sampled_from([0, 1, 20]))}
    return bruteforce.trimmed(doc)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(published_months())
def test_changes_first_is_minimal_on_generated_months(doc: dict[str, Any]) -> None:
    """On generated tiny months, changes_first keeps the fewest changes any schedule with the fewest gaps can."""
    month = instance_from_document(doc)
    published = [(p.meeting, p.delegate) for p in month.reference]
    least = None
    for pairs in bruteforce.schedules(doc):  # every schedule within the seats, pins included
        report = score(month, pairs)
        if not report.violations:
            key = (report.terms["unfilled"], report.terms["changes"])
            least = key if least is None else min(least, key)
    result = resolve(month, published, "changes_first", time_limit=5, workers=1)
    if least is None:  # the pins clash: no schedule at all
        assert result.status == "infeasible", result.problems
        return
    assert result.report is not None
    assert (result.report.terms["unfilled"], result.report.terms["changes"]) == least
    if result.details.pairs:  # with no pair left to choose the solver proves nothing
        assert changes_proved(result, "changes_first")
