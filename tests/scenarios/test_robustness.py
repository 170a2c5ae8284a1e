"""Robustness: absences enumerated, re-solved in parallel processes, seats counted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from models.io import instance_from_document
from scenarios import robustness
from scenarios.robustness import absences, analyse, seats
from tests.scenarios.conftest import PUBLISHED


def test_absences_cover_the_month_and_each_day(tiny: dict[str, Any]) -> None:
    """Each assigned delegate is tried away all month and on each of their meeting days."""
    month = instance_from_document(tiny)
    found = absences(month, PUBLISHED)
    d1 = [(a.start, a.end, a.whole) for a in found if a.delegate == "d1"]
    assert d1 == [
        (dt.date(2025, 11, 4), dt.date(2025, 11, 6), True),
        (dt.date(2025, 11, 4), dt.date(2025, 11, 4), False),
    ]
    assert {a.delegate for a in found} == {"d1", "d2", "d3", "d5"}
    assert len(absences(month, PUBLISHED, days=False)) == 4


def test_seats_count_who_could_step_in(tiny: dict[str, Any]) -> None:
    """Tả Phời's senior seat (flag 2) can go only to the other tier-2 delegate, not in charge of it."""
    month = instance_from_document(tiny)
    found = {(s.meeting, s.delegate): s for s in seats(month, PUBLISHED)}
    # m3 (c3, flag 2): d2 holds the only senior seat; d1 is in charge of c3 and away on the 6th.
    assert (found["m3", "d2"].eligible, found["m3", "d2"].free) == (0, 0)
    # m3's other seat: anyone available but d1, and not the two already there.
    assert found["m3", "d5"].eligible == 2
    assert next(iter(seats(month, PUBLISHED))).meeting == "m3"


def test_parallel_resolves_rank_the_costliest_absence_first(tiny: dict[str, Any]) -> None:
    """The Secretary, with two meetings, costs most; every cost is at least their assignments."""
    calls: list[Any] = []
    report = analyse(tiny, PUBLISHED, processes=2, time_limit=5, on_start=calls.append, on_done=calls.append)
    assert calls[0] == 8  # d1, d2, d3, d5: each away all month, and on their one meeting day
    assert len(calls) == 1 + calls[0]
    top = report.delegates[0]
    assert top.delegate == "d1"
    assert top.month.changes >= 2
    assert all(c.month.changes >= c.assignments for c in report.delegates)
    assert all(a.changes >= 1 for c in report.delegates for a in c.days)
    costs = [(c.month.changes, c.month.unfilled) for c in report.delegates]
    assert costs == sorted(costs, reverse=True)


def test_a_proved_resolve_is_marked_proved(tiny: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """An absence on the tiny month, which the solver proves at once, is not marked "*" (not proved)."""
    monkeypatch.setattr(robustness, "_WORKER", {})  # the worker's state, here in this process
    monkeypatch.setattr(robustness, "die_with", lambda parent: None)  # this process has no pool's parent
    robustness._start(0, tiny, PUBLISHED, 5.0)
    month = instance_from_document(tiny)
    for absence in absences(month, PUBLISHED):
        answer = robustness.resolve_absence(absence)
        assert answer.status in ("optimal", "partial"), absence
        assert answer.proved, absence


def test_seats_say_who_could_step_in_and_what_keeps_the_others(tiny: dict[str, Any]) -> None:
    """A seat names its ready replacements (as many as it counts) and why the rest are kept away."""
    month = instance_from_document(tiny)
    found = {(s.meeting, s.delegate): s for s in seats(month, PUBLISHED)}
    senior = found["m3", "d2"]
    assert senior.senior_only
    kept = dict(senior.kept)
    assert kept.get("charge", 0) + kept.get("away", 0) >= 1  # d1: in charge of c3 and away on the 6th
    assert senior.eligible + sum(kept.values()) == len(month.delegates) - 2  # all but the two at m3
    for seat in found.values():
        assert len(seat.ready) == seat.free
        assert seat.free + seat.full + seat.clash == seat.eligible
