"""Between the solver and storage: a solve's result or a planner's edit as a stored plan.

Every schedule the service keeps is judged by the independent scorer
(:func:`solver.score`), so a solved draft, an edited one and a published one are scored
the same way. An edit is refused when it breaks a hard rule that held before it (H3–H7,
or more people than seats); leaving a seat empty is allowed and costs what RULES.md says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from models.instance import Instance
from models.rules import TERMS
from models.storage.schedules import Pair, Plan
from solver import Result, ScoreReport, Violation, score
from solver.diagnose import explain_gaps
from solver.encode import encode
from solver.visits import suggest_visits


def plan_from_result(result: Result) -> Plan:
    """The stored form of a solve's schedule (the solver already scored and explained it)."""
    report = result.report
    assert report is not None, "an infeasible result has no schedule to store"
    return Plan(
        pairs=list(result.assignments),
        visits={(m, d): t for m, d, t in result.visits},
        solver_status=result.status,
        total=report.total,
        terms={t: report.terms.get(t, 0) for t in TERMS},
        bound=result.bound,
        seconds=round(result.seconds, 3),
        gaps=[
            {"meeting": g.meeting, "seats": g.seats, "senior_missing": g.senior_missing, "reason": g.reason}
            for g in result.gaps
        ],
    )


def plan_from_pairs(instance: Instance, pairs: Iterable[Pair], report: ScoreReport | None = None) -> Plan:
    """A hand-made schedule scored, with its visits suggested and its gaps explained."""
    pairs = sorted(set(pairs), key=lambda p: (instance.meeting(p[0]).start, p[0], p[1]))
    report = report or score(instance, pairs)
    return Plan(
        pairs=pairs,
        visits={(m, d): t for m, d, t in suggest_visits(instance, pairs)},
        solver_status="partial" if report.gaps else "feasible",
        total=report.total,
        terms={t: report.terms.get(t, 0) for t in TERMS},
        gaps=gap_reasons(instance, pairs, report),
    )


def gap_reasons(instance: Instance, pairs: Sequence[Pair], report: ScoreReport) -> list[dict[str, object]]:
    """Each gap with the solver's explanation of why it is empty (who is away, busy, full…)."""
    if not report.gaps:
        return []
    enc = encode(instance)
    meetings = {m.id: m.index for m in enc.meetings}
    delegates = {d.id: d.index for d in enc.delegates}
    schedule = [(delegates[d], meetings[m]) for m, d in pairs if m in meetings and d in delegates]
    reasons = explain_gaps(enc, schedule, [(meetings[g.meeting], g.seats, g.senior_missing) for g in report.gaps])
    return [
        {
            "meeting": g.meeting,
            "seats": g.seats,
            "senior_missing": g.senior_missing,
            "reason": reasons[meetings[g.meeting]],
        }
        for g in report.gaps
    ]


@dataclass(frozen=True)
class Change:
    """Take ``remove`` off ``meeting`` and/or put ``add`` on it."""

    meeting: str
    remove: str | None = None
    add: str | None = None


@dataclass(frozen=True)
class Problem:
    """Why change number ``index`` (None: the edit as a whole) cannot be made."""

    index: int | None
    field: str
    value: object
    message: str


@dataclass
class Edit:
    pairs: list[Pair]
    before: ScoreReport
    after: ScoreReport
    problems: list[Problem]


def apply_changes(instance: Instance, pairs: Sequence[Pair], changes: Sequence[Change]) -> Edit:
    """The schedule after ``changes``, its score, and every reason to refuse it.

    The changes are applied together and the result is checked against the hard rules:
    a violation that was not there before is blamed on the change that brought the
    delegate (or the meeting) involved.
    """
    current = set(pairs)
    problems: list[Problem] = []
    for i, change in enumerate(changes):
        problems.extend(_check_change(instance, current, i, change))
        if change.remove is not None:
            current.discard((change.meeting, change.remove))
        if change.add is not None:
            current.add((change.meeting, change.add))
    before = score(instance, pairs)
    after = score(instance, current)
    if not problems:
        problems.extend(_blame(changes, violation) for violation in new_violations(before, after))
    return Edit(sorted(current), before, after, problems)


def _check_change(instance: Instance, current: set[Pair], i: int, change: Change) -> Iterable[Problem]:
    if change.meeting not in instance.meetings_by_id:
        yield Problem(i, "meeting", change.meeting, "không có hội nghị này trong tháng")
        return
    if change.remove is None and change.add is None:
        yield Problem(i, "meeting", change.meeting, "cần ít nhất một trong hai: remove hoặc add")
    if change.remove is not None and (change.meeting, change.remove) not in current:
        yield Problem(i, "remove", change.remove, "đại biểu này không được phân công dự hội nghị này")
    if change.add is not None:
        if change.add not in instance.delegates_by_id:
            yield Problem(i, "add", change.add, "không có đại biểu này")
        elif (change.meeting, change.add) in current and change.add != change.remove:
            yield Problem(i, "add", change.add, "đại biểu này đã được phân công dự hội nghị này")


def new_violations(before: ScoreReport, after: ScoreReport) -> list[Violation]:
    """The broken hard rules of ``after`` that ``before`` did not have: what a change is blamed for."""
    known = {_key(v) for v in before.violations}
    return [v for v in after.violations if _key(v) not in known]


def _key(violation: Violation) -> tuple[str, str, str | None, str | None]:
    return (violation.rule, violation.message, violation.meeting, violation.delegate)


def _blame(changes: Sequence[Change], violation: Violation) -> Problem:
    message = f"vi phạm {violation.rule}: {violation.message}"
    tests: list[tuple[str, Callable[[Change], bool]]] = [
        ("add", lambda c: c.add is not None and c.add == violation.delegate and c.meeting == violation.meeting),
        ("add", lambda c: c.add is not None and c.add == violation.delegate),
        ("remove", lambda c: c.remove is not None and c.remove == violation.delegate),
        ("meeting", lambda c: c.meeting == violation.meeting),
    ]
    for field, test in tests:
        for i, change in enumerate(changes):
            if test(change):
                return Problem(i, field, getattr(change, field), message)
    return Problem(None, "changes", None, message)


def score_delta(before: ScoreReport, after: ScoreReport) -> dict[str, int]:
    return {t: after.terms.get(t, 0) - before.terms.get(t, 0) for t in TERMS}
