"""Properties of every schedule on generated instances (hypothesis).

* a returned schedule breaks none of H1 (over-staffing), H3–H7, by the product's scorer
  and by the tests' own reading of RULES.md; its score equals the solver's own objective;
  the status is ``partial`` exactly when there are gaps;
* the scorer agrees, term by term, with the tests' reading of RULES.md on any schedule;
* a model of part of a schedule (``Scope.around``) scores, at that schedule, exactly what
  the scorer gives the whole schedule.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from models.io import instance_from_document
from models.rules import TERMS
from solver import score, solve
from solver.encode import encode
from solver.score import ScoreFacts
from solver.search.engine import PreparedModel
from solver.variables import Scope
from tests.solver.builders import run
from tests.solver.reference import reference_score
from tests.solver.strategies import instance_documents, schedules

JsonDict = dict[str, Any]
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@SETTINGS
@given(doc=instance_documents())
def test_returned_schedules_keep_the_hard_rules_and_match_the_objective(backend: str, doc: JsonDict) -> None:
    """Any schedule a backend returns breaks no hard rule, scores its objective, and is partial iff it has gaps."""
    instance = instance_from_document(doc)
    # Short: these properties hold for any schedule returned, proved optimal or not.
    result = run(instance, backend, time_limit=0.5)
    if result.status == "infeasible":
        assert doc.get("pinned"), "only pins can make even a partial schedule impossible"
        assert result.problems
        assert result.report is None
        return
    report = score(instance, result.assignments)
    assert report.violations == []
    assert reference_score(doc, result.assignments).broken == set()
    assert len(set(result.assignments)) == len(result.assignments)
    assert result.report is not None
    assert result.report.total == report.total
    assert result.objective == report.total
    assert set(result.report.terms) == set(TERMS)
    assert (result.status == "partial") == bool(report.gaps)
    assert [(g.meeting, g.seats, g.senior_missing) for g in result.gaps] == [
        (g.meeting, g.seats, g.senior_missing) for g in report.gaps
    ]
    assert all(g.reason.strip() for g in result.gaps)
    if result.bound is not None:
        assert result.bound <= report.total
    if result.status == "optimal":
        assert result.bound == report.total
    # visits: one per assignment at most, a team of that commune, never twice
    teams = [t for _, _, t in result.visits]
    assert len(teams) == len(set(teams))
    for meeting, delegate, team in result.visits:
        assert (meeting, delegate) in result.assignments
        commune = instance.commune(instance.meeting(meeting).commune)
        assert team in {t.id for t in commune.teams}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), doc=instance_documents())
def test_scorer_agrees_with_the_reading_of_the_rules(data: st.DataObject, doc: JsonDict) -> None:
    """On any schedule (feasible or not) the scorer's terms, total and broken rules match RULES.md as read here."""
    instance = instance_from_document(doc)
    pairs = data.draw(schedules(doc))
    expected = reference_score(doc, pairs)
    report = score(instance, pairs)
    assert report.terms == expected.terms
    assert report.total == expected.total
    assert {v.rule for v in report.violations} == expected.broken


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), doc=instance_documents())
def test_facts_made_once_score_every_schedule_alike(data: st.DataObject, doc: JsonDict) -> None:
    """Scoring several schedules with one instance's ScoreFacts gives what scoring each afresh gives."""
    instance = instance_from_document(doc)
    facts = ScoreFacts(instance)
    for _ in range(3):
        pairs = data.draw(schedules(doc))
        shared, fresh = score(instance, pairs, facts), score(instance, pairs)
        assert (shared.total, shared.terms, shared.violations, shared.gaps) == (
            fresh.total,
            fresh.terms,
            fresh.violations,
            fresh.gaps,
        )


def random_feasible(data: st.DataObject, doc: JsonDict) -> list[tuple[str, str]]:
    """A random schedule that the scorer finds free of hard violations (pins first, then random pairs)."""
    instance = instance_from_document(doc)
    pairs = [(p["meeting"], p["delegate"]) for p in doc.get("pinned", [])]
    assume(not score(instance, pairs).violations)
    candidates = [(m["id"], d["id"]) for m in doc["meetings"] for d in doc["delegates"]]
    order = data.draw(st.permutations(candidates))
    wanted = data.draw(st.integers(0, len(candidates)))
    for pair in order[:wanted]:
        if pair in pairs:
            continue
        if not score(instance, [*pairs, pair]).violations:
            pairs.append(pair)
    return pairs


@SETTINGS
@given(data=st.data(), doc=instance_documents())
def test_sub_models_score_like_the_whole_schedule(data: st.DataObject, doc: JsonDict) -> None:
    """A model deciding some meetings, the others fixed, has at the schedule the objective the scorer gives it."""
    instance = instance_from_document(doc)
    pairs = random_feasible(data, doc)
    expected = score(instance, pairs).total
    enc = encode(instance)
    meeting_index = {m.id: m.index for m in enc.meetings}
    delegate_index = {d.id: d.index for d in enc.delegates}
    schedule: dict[int, list[int]] = {}
    for m, d in pairs:
        schedule.setdefault(meeting_index[m], []).append(delegate_index[d])
    every = list(range(len(enc.meetings)))
    active = data.draw(st.lists(st.sampled_from(every), unique=True))
    for scope in (Scope.around(enc, active, schedule), Scope.whole(enc)):
        prepared = PreparedModel.of(enc, scope)
        chosen = [(d, m) for m in scope.active for d in schedule.get(m, [])]
        vector = prepared.vector(chosen)
        assert prepared.arrays.objective(vector) == expected, (sorted(scope.active), pairs)


@SETTINGS
@given(data=st.data(), doc=instance_documents(max_meetings=4))
def test_the_optimum_is_no_worse_than_any_feasible_schedule(data: st.DataObject, doc: JsonDict) -> None:
    """A proved optimum scores at most any hard-feasible schedule, given as a hint or not."""
    instance = instance_from_document(doc)
    pairs = random_feasible(data, doc)
    total = score(instance, pairs).total
    for hint in (None, pairs):
        result = solve(instance, backend="cpsat", time_limit=5.0, workers=1, hint=hint)
        assert result.report is not None
        assert result.report.total <= total


@SETTINGS
@given(data=st.data(), doc=instance_documents(max_meetings=4))
def test_any_hint_is_safe(data: st.DataObject, doc: JsonDict) -> None:
    """A hint breaking hard rules or naming unknown ids never leaks into the result, nor changes the optimum."""
    instance = instance_from_document(doc)
    hint = [*data.draw(schedules(doc)), ("no-such-meeting", doc["delegates"][0]["id"]), (doc["meetings"][0]["id"], "x")]
    plain = solve(instance, backend="cpsat", time_limit=5.0, workers=1)
    hinted = solve(instance, backend="cpsat", time_limit=5.0, workers=1, hint=hint)
    assert hinted.status == plain.status
    if hinted.report is not None and plain.report is not None:
        assert hinted.report.violations == []
        assert hinted.report.total == plain.report.total


@SETTINGS
@given(doc=instance_documents(max_meetings=4))
def test_priority_minimises_changes_first(doc: JsonDict) -> None:
    """With priority ("changes",) the schedule has no more changes than the weighted optimum, and no better total."""
    instance = instance_from_document(doc)
    plain = solve(instance, backend="cpsat", time_limit=5.0, workers=1)
    first = solve(instance, backend="cpsat", time_limit=5.0, workers=1, priority=("changes",))
    if plain.report is None:
        assert first.status == "infeasible"
        return
    assert first.report is not None
    assert first.report.violations == []
    assert first.report.terms["unfilled"] <= plain.report.terms["unfilled"]
    if first.report.terms["unfilled"] == plain.report.terms["unfilled"]:
        assert first.report.terms["changes"] <= plain.report.terms["changes"]
    assert first.report.total >= plain.report.total
